using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The fleet as devices in the field are: each enrols over a connection it then keeps open, listening on its command
/// topic the way the agent's daemon does — a command is checked against the issuing CA of the device's current
/// certificate (<see cref="DeviceCommandVerifier"/>), executed once per command id, and a <c>reenroll</c> enrols the
/// device again from its EK (<see cref="TpmEnrollment"/>) over the same connection, off the receive loop. A device
/// that can present its certificate (an emulated one, <see cref="AuthenticatedSessions"/>) then reconnects on its
/// authenticated session, as the agent does, and its renewals ride on that session.
/// <see cref="ExpectOwner"/> then times each device from a moment (e.g. a transfer's acceptance) until it holds a
/// certificate of the expected owner.
/// </summary>
public sealed class OnlineFleet(Fleet fleet, EnrollmentClientOptions client) : IAsyncDisposable
{
    /// <summary>Step name: from the moment <see cref="ExpectOwner"/> was called until the device had a verified command.</summary>
    public const string CommandReceived = "command-received";

    /// <summary>Step name: from that moment until the device held the new owner's certificate.</summary>
    public const string Reenrolled = "reenrolled";

    /// <summary>Step name: after enrolment, the new connection on the session the certificate authenticates.</summary>
    public const string Reconnect = "reconnect-authenticated";

    private readonly ConcurrentDictionary<string, EnrollmentClient> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EnrollmentResult> _identities = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _executed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _renewing = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private volatile Expectation? _expected;

    /// <summary>Each online device's current enrolment result.</summary>
    public IReadOnlyDictionary<string, EnrollmentResult> Identities => _identities;

    /// <summary>
    /// Every device connects (keeping the connection), waits for its swtpm and enrols; at <paramref name="rate"/>
    /// arrivals per second or all at once. Outcomes carry the agent's steps plus connect, wait and end-to-end.
    /// </summary>
    public Task<ScenarioReport> EnrolAsync(string phase, double? rate, IProgress<DeviceOutcome>? progress, CancellationToken cancellationToken) =>
        OpenLoopAsync(phase, fleet.Devices, rate, progress, async (device, sinceArrival, steps, connect) =>
        {
            var connection = await connect(client);
            steps[DeviceRunner.Connect] = sinceArrival();
            _connections[device.DeviceId] = connection;
            connection.CommandReceived += payload => OnCommandAsync(device, payload);
            var result = await EnrolOnSlotAsync(device, connection, () => steps[DeviceRunner.Wait] = sinceArrival(), cancellationToken);
            _identities[device.DeviceId] = result;
            if (AuthenticatedSessions.CertificateFor(fleet, device, result, DateTimeOffset.UtcNow) is { } certificate)
            {
                var reconnecting = sinceArrival();
                var authenticated = await AuthenticatedSessions.ConnectAsync(device, client, certificate,
                    refused => steps[AuthenticatedSessions.Refused] = refused.TotalMilliseconds, cancellationToken);
                authenticated.CommandReceived += payload => OnCommandAsync(device, payload);
                _connections[device.DeviceId] = authenticated;
                await connection.DisposeAsync();
                steps[Reconnect] = sinceArrival() - reconnecting;
            }
            foreach (var (step, duration) in result.StepDurations) steps[step] = duration.TotalMilliseconds;
        }, cancellationToken);

    /// <summary>
    /// A renewal storm on the connected devices: <paramref name="count"/> renewals arriving open-loop at
    /// <paramref name="rate"/> per second, taking the enrolled devices in turn, each over the connection the device
    /// already holds (no connect, no TLS handshake); a device's renewals never overlap (a later one waits). Outcomes
    /// carry the agent's steps plus wait (arrival until the device was free) and end-to-end.
    /// </summary>
    public async Task<ScenarioReport> RenewAsync(string phase, double rate, int count, CancellationToken cancellationToken)
    {
        var devices = fleet.Devices.Where(d => _identities.ContainsKey(d.DeviceId)).ToList();
        if (devices.Count == 0) throw new InvalidOperationException("no device is enrolled and connected to renew");
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(DeviceRunner.Schedule(count, rate).Select(async (at, i) =>
        {
            var device = devices[i % devices.Count];
            if (at - clock.Elapsed is var delay && delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken);
            var arrived = clock.Elapsed;
            var steps = new Dictionary<string, double>();
            var turn = _renewing.GetOrAdd(device.DeviceId, _ => new SemaphoreSlim(1, 1));
            await turn.WaitAsync(cancellationToken);
            try
            {
                var current = _identities[device.DeviceId];
                var result = await fleet.RunOnTpmAsync(device, tpm =>
                {
                    steps[DeviceRunner.Wait] = (clock.Elapsed - arrived).TotalMilliseconds;
                    return new TpmEnrollment(tpm, fleet.OptionsFor(device))
                        .RenewAsync(_connections[device.DeviceId], current.DeviceKey, current.Issued.SerialNumber, cancellationToken);
                }, cancellationToken);
                _identities[device.DeviceId] = result;
                foreach (var (step, duration) in result.StepDurations) steps[step] = duration.TotalMilliseconds;
                steps[DeviceRunner.EndToEnd] = (clock.Elapsed - arrived).TotalMilliseconds;
                return new DeviceOutcome(device.DeviceId, true, null, clock.Elapsed.TotalSeconds, steps);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                return new DeviceOutcome(device.DeviceId, false, ErrorOf(e), clock.Elapsed.TotalSeconds, steps);
            }
            finally
            {
                turn.Release();
            }
        }));
        return ScenarioReport.From(phase, outcomes, clock.Elapsed);
    }

    /// <summary>
    /// A power cut: every connected device loses its connection the way a device that loses power does — nothing more
    /// leaves it (<see cref="PowerCut"/>) — and comes back, connecting on the session its certificate authenticates (one
    /// without a certificate it can present, enrolment-only), at <paramref name="rate"/> arrivals per second or all at
    /// once, as the agent does after a reboot. The service still holds each old session; a device is back when it holds
    /// its new session. A certificate CONNECT the
    /// endpoint refuses (<c>second_session</c> if the old session were taken for a clone) fails the device's flow
    /// with the refusal: the agent would retry with backoff until the old session timed out, a clone signal raised meanwhile. Outcomes carry
    /// <see cref="Reconnect"/> (arrival until admitted) and end-to-end.
    /// </summary>
    public async Task<ScenarioReport> PowerCutAsync(string phase, double? rate, IProgress<DeviceOutcome>? progress, CancellationToken cancellationToken)
    {
        // every connection of the process to the broker loses power, so every connected device comes back
        var devices = fleet.Devices.Where(d => _identities.ContainsKey(d.DeviceId) && _connections.ContainsKey(d.DeviceId)).ToList();
        if (!devices.Any(d => _connections[d.DeviceId].IsAuthenticated)) throw new InvalidOperationException("no device holds an authenticated session to lose");
        PowerCut.Silence(client.Port);
        foreach (var device in devices)
            if (_connections.TryRemove(device.DeviceId, out var cut)) await cut.DisposeAsync();   // its DISCONNECT and FIN go nowhere

        return await OpenLoopAsync(phase, devices, rate, progress, async (device, sinceArrival, steps, connect) =>
        {
            // as the agent after a reboot: with its certificate when it has one it can present, else enrolment-only
            var certificate = AuthenticatedSessions.CertificateFor(fleet, device, _identities[device.DeviceId], DateTimeOffset.UtcNow);
            var connection = await connect(certificate is null ? client : AuthenticatedSessions.WithCertificate(client, certificate));
            connection.CommandReceived += payload => OnCommandAsync(device, payload);
            _connections[device.DeviceId] = connection;
            steps[Reconnect] = sinceArrival();
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="flow"/> for each of <paramref name="devices"/> at its open-loop arrival
    /// (<paramref name="rate"/> per second, or all at once), reporting each outcome: a flow that returns succeeded, with
    /// the steps it recorded and end-to-end; one that throws failed, with its error and the steps it reached. A flow gets
    /// the milliseconds since its arrival and a connect that holds one of the fleet's <c>ConcurrentFlows</c> places
    /// while it connects.
    /// </summary>
    private async Task<ScenarioReport> OpenLoopAsync(string phase, IReadOnlyList<FleetDevice> devices, double? rate, IProgress<DeviceOutcome>? progress,
        Func<FleetDevice, Func<double>, Dictionary<string, double>, Func<EnrollmentClientOptions, Task<EnrollmentClient>>, Task> flow, CancellationToken cancellationToken)
    {
        using var connecting = new SemaphoreSlim(fleet.ConcurrentFlows);
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(devices.Zip(DeviceRunner.Schedule(devices.Count, rate)).Select(async pair =>
        {
            var (device, at) = pair;
            if (at - clock.Elapsed is var delay && delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken);
            var arrived = clock.Elapsed;
            var steps = new Dictionary<string, double>();
            DeviceOutcome outcome;
            try
            {
                await flow(device, () => (clock.Elapsed - arrived).TotalMilliseconds, steps, async options =>
                {
                    await connecting.WaitAsync(cancellationToken);
                    try
                    {
                        return await EnrollmentClient.ConnectAsync(device.DeviceId, options, cancellationToken);
                    }
                    finally
                    {
                        connecting.Release();
                    }
                });
                steps[DeviceRunner.EndToEnd] = (clock.Elapsed - arrived).TotalMilliseconds;
                outcome = new DeviceOutcome(device.DeviceId, true, null, clock.Elapsed.TotalSeconds, steps);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = new DeviceOutcome(device.DeviceId, false, ErrorOf(e), clock.Elapsed.TotalSeconds, steps);
            }
            progress?.Report(outcome);
            return outcome;
        }));
        return ScenarioReport.From(phase, outcomes, clock.Elapsed);
    }

    /// <summary>
    /// From now on, times each of <paramref name="deviceIds"/> until it holds a certificate issued to
    /// <paramref name="owner"/> that chains to <paramref name="ownerRoot"/>; the outcomes come from <see cref="WaitAsync"/>.
    /// </summary>
    public void ExpectOwner(IReadOnlyCollection<string> deviceIds, string owner, X509Certificate2 ownerRoot, IProgress<DeviceOutcome>? progress) =>
        _expected = new Expectation(owner, ownerRoot, progress, Stopwatch.StartNew(),
            deviceIds.ToDictionary(id => id, _ => new Watch(), StringComparer.Ordinal));

    /// <summary>
    /// Each expected device's outcome, once all have one or at <paramref name="timeout"/> (devices still waiting then
    /// fail with <c>Timeout</c> and the step they reached); and the time since <see cref="ExpectOwner"/>.
    /// </summary>
    public async Task<(IReadOnlyList<DeviceOutcome> Outcomes, TimeSpan Elapsed)> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var expected = _expected ?? throw new InvalidOperationException("nothing expected");
        var all = Task.WhenAll(expected.Devices.Values.Select(w => w.Done.Task));
        await Task.WhenAny(all, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var (deviceId, watch) in expected.Devices)
        {
            var reached = watch.CommandAt is null ? "Timeout: no command" : "Timeout: not re-enrolled";
            if (watch.Done.TrySetResult(new DeviceOutcome(deviceId, false, reached, expected.Clock.Elapsed.TotalSeconds, new Dictionary<string, double>())))
                expected.Progress?.Report(await watch.Done.Task);
        }
        return (await all, expected.Clock.Elapsed);
    }

    /// <summary>
    /// Waits until the service has closed every device's connection (the cut-off it makes two seconds after each
    /// transfer re-enrolment), at most <paramref name="timeout"/>; returns how many are still open.
    /// </summary>
    public async Task<int> WaitForCutOffAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (_connections.Values.Any(c => c.IsConnected) && deadline.Elapsed < timeout) await Task.Delay(100, cancellationToken);
        return _connections.Values.Count(c => c.IsConnected);
    }

    /// <summary>What the agent does with a command (see the type's summary).</summary>
    private Task OnCommandAsync(FleetDevice device, ReadOnlyMemory<byte> payload)
    {
        var identity = _identities.GetValueOrDefault(device.DeviceId);
        var verdict = DeviceCommandVerifier.Verify(payload.Span, identity?.DeviceId, identity?.Issued.CertificateChain, DateTimeOffset.UtcNow);
        if (verdict.Command is not { Kind: DeviceCommandKinds.Reenroll } command || !_executed.TryAdd(command.CommandId, 0)) return Task.CompletedTask;
        var expectation = _expected;
        var watch = expectation?.Devices.GetValueOrDefault(device.DeviceId);
        if (watch is not null) watch.CommandAt = expectation!.Clock.Elapsed;
        _ = Task.Run(() => ReenrolAsync(device, expectation, watch));
        return Task.CompletedTask;
    }

    private async Task ReenrolAsync(FleetDevice device, Expectation? expectation, Watch? watch)
    {
        var steps = new Dictionary<string, double>();
        try
        {
            var clock = expectation?.Clock;
            if (watch?.CommandAt is { } at) steps[CommandReceived] = at.TotalMilliseconds;
            var result = await EnrolOnSlotAsync(device, _connections[device.DeviceId],
                () => { if (clock is not null && watch?.CommandAt is { } c) steps[DeviceRunner.Wait] = (clock.Elapsed - c).TotalMilliseconds; }, _stopping.Token);
            _identities[device.DeviceId] = result;
            if (expectation is null || watch is null) return;
            foreach (var (step, duration) in result.StepDurations) steps[step] = duration.TotalMilliseconds;
            steps[Reenrolled] = steps[DeviceRunner.EndToEnd] = expectation.Clock.Elapsed.TotalMilliseconds;
            var error = result.Issued.Owner != expectation.Owner ? $"owner {result.Issued.Owner}"
                : !ChainsTo(result.Issued.CertificateChain, expectation.OwnerRoot) ? "certificate does not chain to the new owner's root" : null;
            Complete(expectation, watch, new DeviceOutcome(device.DeviceId, error is null, error, expectation.Clock.Elapsed.TotalSeconds, steps));
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            if (expectation is not null && watch is not null)
                Complete(expectation, watch, new DeviceOutcome(device.DeviceId, false, ErrorOf(e), expectation.Clock.Elapsed.TotalSeconds, steps));
        }
    }

    private static void Complete(Expectation expectation, Watch watch, DeviceOutcome outcome)
    {
        if (watch.Done.TrySetResult(outcome)) expectation.Progress?.Report(outcome);
    }

    private Task<EnrollmentResult> EnrolOnSlotAsync(FleetDevice device, IEnrollmentChannel channel, Action started, CancellationToken cancellationToken) =>
        fleet.RunOnTpmAsync(device, tpm =>
        {
            started();
            return new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel, cancellationToken);
        }, cancellationToken);

    /// <summary>Whether the device certificate, with the issuing CA sent beside it, chains to <paramref name="root"/>.</summary>
    private static bool ChainsTo(IReadOnlyList<byte[]> certificateChain, X509Certificate2 root)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificateChain[0]);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        foreach (var issuer in certificateChain.Skip(1)) chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(issuer));
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            foreach (var extra in chain.ChainPolicy.ExtraStore) extra.Dispose();
        }
    }

    /// <summary>A failed flow's error: a refused CONNECT by the endpoint's reason (e.g. <c>second_session</c>), another refusal by its protocol error, else the exception's type.</summary>
    private static string ErrorOf(Exception e) => e is EnrollmentRefusedException refused ? refused.ConnectReason ?? refused.Error.ToString() : e.GetType().Name;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var connection in _connections.Values) await connection.DisposeAsync();
        _stopping.Dispose();
    }

    private sealed record Expectation(string Owner, X509Certificate2 OwnerRoot, IProgress<DeviceOutcome>? Progress, Stopwatch Clock, IReadOnlyDictionary<string, Watch> Devices);

    private sealed class Watch
    {
        public TimeSpan? CommandAt { get; set; }

        public TaskCompletionSource<DeviceOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
