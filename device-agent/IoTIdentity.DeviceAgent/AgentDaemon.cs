using System.Threading.Channels;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Exceptions;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// <c>iotid-agent run</c>: enrol if there is no identity (or it expired), then keep one MQTT connection open for
/// commands and rotate at the service's renewal time plus jitter. Failures back off exponentially with jitter,
/// at least as long as the service's Retry-After.
/// </summary>
public sealed class AgentDaemon(IdentityAgent agent, CommandVerifier verifier, ILogger<AgentDaemon> logger) : BackgroundService
{
    private readonly Channel<DeviceCommand> _commands = Channel.CreateUnbounded<DeviceCommand>();
    private readonly HashSet<string> _executed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _renewAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectionLock = new(1, 1);
    private EnrollmentClient? _connection;
    private int _failures;
    private int _refusedReplacements;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        agent.Store.Upgrade();
        agent.Store.Collect();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await StepAsync(stoppingToken).ConfigureAwait(false);
                    _failures = 0;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && (IsRetryable(e) || AgentFailure.Explain(e, agent.Options) is not null))
                {
                    await DropConnectionAsync().ConfigureAwait(false);
                    await Task.Delay(AfterFailure(e), agent.Time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await DropConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How long to wait after a failed turn, logging why in one line (the exception only at debug level). A refusal
    /// that needs an operator is recorded in the state and waits <see cref="AgentOptions.RefusedRetry"/>; a
    /// revocation deletes the identity and waits for <c>iotid-agent enroll</c>; anything else backs off exponentially.
    /// </summary>
    private TimeSpan AfterFailure(Exception e)
    {
        var reason = AgentFailure.Explain(e, agent.Options)?.Message ?? e.Message;
        if (e is EnrollmentRefusedException refused && PermanentRefusals.Contains(refused.Error))
        {
            _failures = 0;   // the agent recorded the refusal where it happened
            if (refused.Error == ProvisioningError.Revoked)
            {
                AgentLog.RevokedByService(logger, reason);
                return TimeSpan.Zero;
            }
            AgentLog.RefusedUntil(logger, reason, agent.Time.GetUtcNow() + agent.Options.RefusedRetry);
            return agent.Options.RefusedRetry;
        }
        var delay = Backoff.Delay(agent.Options.RetryInitial, agent.Options.RetryMax, ++_failures, (e as EnrollmentRefusedException)?.RetryAfter);
        AgentLog.Retrying(logger, "enrolment", _failures, reason, delay);
        AgentLog.RetryCause(logger, e);
        return delay;
    }

    /// <summary>Until when a recorded refusal that needs an operator holds back enrolment and renewal.</summary>
    private DateTimeOffset RefusalGate() =>
        agent.Markers.Refusal is { } refusal ? refusal.At + agent.Options.RefusedRetry : DateTimeOffset.MinValue;

    /// <summary>One turn: make sure there is a valid identity, then wait for its renewal time or a command.</summary>
    private async Task StepAsync(CancellationToken ct)
    {
        if (agent.IsRevoked)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), agent.Time, ct).ConfigureAwait(false);
            return;
        }
        var identity = agent.Store.Load();
        var gate = RefusalGate() - agent.Time.GetUtcNow();
        if ((identity is null || identity.IsExpired(agent.Time.GetUtcNow())) && gate > TimeSpan.Zero)
        {
            await Task.Delay(Min(gate, TimeSpan.FromSeconds(30)), agent.Time, ct).ConfigureAwait(false);
            return;
        }
        if (identity is null)
        {
            var deviceId = await agent.ReadDeviceIdAsync(ct).ConfigureAwait(false);
            await agent.EnrollAsync(await ConnectionAsync(deviceId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            return;
        }
        if (identity.IsExpired(agent.Time.GetUtcNow()))
        {
            await agent.RotateAsync(await ConnectionAsync(identity.Metadata.DeviceId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            return;
        }
        foreach (var id in identity.Metadata.ExecutedCommands) _executed.Add(id);
        var connection = await ConnectionAsync(identity.Metadata.DeviceId, ct).ConfigureAwait(false);
        if (connection.IsAuthenticated) _refusedReplacements = 0;
        else if (agent.CertificateRefused(identity))
        {
            await ReplaceRefusedAsync(identity, connection, ct).ConfigureAwait(false);
            return;
        }
        var renewAt = RenewalTime(identity);
        if (RefusalGate() > renewAt) renewAt = RefusalGate();
        var wait = renewAt - agent.Time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var delay = Task.Delay(Min(wait, TimeSpan.FromSeconds(30)), agent.Time, wake.Token);
            var command = _commands.Reader.WaitToReadAsync(wake.Token).AsTask();
            var first = await Task.WhenAny(delay, command).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            if (first == command && _commands.Reader.TryRead(out var next)) await ExecuteAsync(next, connection, ct).ConfigureAwait(false);
            else if (!connection.IsConnected) await DropConnectionAsync().ConfigureAwait(false);
            return;
        }
        await agent.RotateAsync(connection, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The service refused the current certificate at connect (revoked — by an operator, or at a transfer's acceptance —
    /// or no longer trusted): renewals, tokens and the service's commands come only on the session that certificate
    /// would authenticate, so none would ever arrive, and the identity is replaced now rather than at its renewal time.
    /// The rotation's renewal is refused on the enrolment-only session and the agent enrols again from the EK (a
    /// revoked device then learns it is revoked). A certificate refused right after such a replacement waits longer
    /// each time (<see cref="Backoff"/>), so a service that refuses every certificate is not asked for one in a loop.
    /// </summary>
    private async Task ReplaceRefusedAsync(StoredIdentity identity, EnrollmentClient connection, CancellationToken ct)
    {
        var delay = _refusedReplacements == 0 ? TimeSpan.Zero : Backoff.Delay(agent.Options.RetryInitial, agent.Options.RetryMax, _refusedReplacements);
        _refusedReplacements++;
        AgentLog.ReplacingRefusedCertificate(logger, identity.Metadata.SerialNumber, delay);
        if (delay > TimeSpan.Zero) await Task.Delay(delay, agent.Time, ct).ConfigureAwait(false);
        await agent.RotateAsync(connection, ct).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(DeviceCommand command, EnrollmentClient connection, CancellationToken ct)
    {
        if (!_executed.Add(command.CommandId)) return;
        AgentLog.CommandExecuting(logger, command.CommandId, command.Kind);
        switch (command.Kind)
        {
            case DeviceCommandKinds.Reenroll:
                await agent.EnrollAsync(connection, ct, command.CommandId).ConfigureAwait(false);
                break;
            case DeviceCommandKinds.AttestNow:
                await agent.RotateAsync(connection, ct, command.CommandId).ConfigureAwait(false);
                break;
            case DeviceCommandKinds.Revoke:
                agent.Revoke(command.CommandId);
                await DropConnectionAsync().ConfigureAwait(false);
                break;
        }
    }

    private DateTimeOffset RenewalTime(StoredIdentity identity)
    {
        var serial = identity.Metadata.SerialNumber;
        if (_renewAt.TryGetValue(serial, out var at)) return at;
        var slack = identity.Metadata.NotAfter - identity.RenewAfter;
        at = identity.RenewAfter + slack * (agent.Options.RenewJitter * Random.Shared.NextDouble());
        _renewAt[serial] = at;
        AgentLog.Scheduled(logger, serial, at);
        return at;
    }

    /// <summary>
    /// The daemon's connection as <paramref name="deviceId"/>, opened if needed: the one session the device holds, which the
    /// local token endpoint shares (a second connection with the same client id would take the session over).
    /// </summary>
    public async Task<EnrollmentClient> ConnectionAsync(string deviceId, CancellationToken ct)
    {
        await _connectionLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // an enrolment-only session is replaced as soon as an authenticated one is possible (e.g. right after enrolment)
            if (_connection is { IsConnected: true } open && open.DeviceId == deviceId && (open.IsAuthenticated || !agent.CanAuthenticate(deviceId))) return open;
            await DropConnectionCoreAsync().ConfigureAwait(false);
            var connection = await agent.ConnectAsync(deviceId, ct).ConfigureAwait(false);
            connection.CommandReceived += OnCommandAsync;
            _connection = connection;
            return connection;
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    private Task OnCommandAsync(ReadOnlyMemory<byte> payload)
    {
        var identity = agent.Store.Load();
        var verdict = verifier.Verify(payload.Span, identity, agent.Time.GetUtcNow());
        if (verdict.Command is { } command) _commands.Writer.TryWrite(command);
        else AgentLog.CommandIgnored(logger, verdict.Reason!);
        return Task.CompletedTask;
    }

    private async Task DropConnectionAsync()
    {
        await _connectionLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await DropConnectionCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    private async Task DropConnectionCoreAsync()
    {
        if (_connection is null) return;
        _connection.CommandReceived -= OnCommandAsync;
        await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
    }

    private static bool IsRetryable(Exception e) => e is EnrollmentRefusedException or TpmTransportException or TpmException
        or MqttCommunicationException or TimeoutException or IOException or System.Net.Sockets.SocketException
        or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
