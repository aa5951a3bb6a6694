using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Channel;

/// <summary>
/// Reaches a device wherever it is connected. With embedded brokers a device may be connected to any silo, so
/// closing its sessions, sending it a command, and finding its authenticated sessions (for monitoring) go to every
/// active silo's <see cref="ISiloDeviceChannelGrain"/>
/// (a silo that leaves meanwhile is skipped: its connections went with it). Behind an external broker, which
/// routes to the device itself, the local channel is used once. Revocations go to every silo's
/// <see cref="RevocationView"/> in either mode.
/// </summary>
public sealed partial class ClusterDeviceChannel(IDeviceChannel local, IGrainFactory grains, IClusterMembershipService membership, ILogger<ClusterDeviceChannel> logger)
    : IDeviceSessions
{
    /// <inheritdoc/>
    public async Task<int> CloseSessionsAsync(string deviceId)
    {
        if (!local.ReachesOnlyThisSilo) return local.Health.Healthy ? await local.CloseSessionsAsync(deviceId) : 0;
        var closed = await OnEverySiloAsync(deviceId, silo => silo.CloseSessionsAsync(deviceId));
        return closed.Sum();
    }

    /// <summary>
    /// How long a silo may take to say which session of a device it holds (it answers at once from memory): one that
    /// takes longer hangs, or died and is not yet declared so, and counts as not answering — far sooner than Orleans'
    /// response timeout, so monitoring's judgement does not hold its tenant's grain that long.
    /// </summary>
    public static readonly TimeSpan SessionQuestionTimeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>?> AuthenticatedSessionsAsync(string deviceId, bool askLiveness)
    {
        if (!local.ReachesOnlyThisSilo) return [];
        var answers = await OnEverySiloAsync(deviceId, async silo =>
        {
            try
            {
                return new SessionAnswer(true, await silo.AuthenticatedSessionAsync(deviceId, askLiveness).WaitAsync(SessionQuestionTimeout));
            }
            catch (Exception e) when (e is not SiloUnavailableException)
            {
                SessionsNotAnswered(logger, e, deviceId);
                return new SessionAnswer(false, null);
            }
        }, gone: new SessionAnswer(true, null));
        return answers.All(a => a.Answered) ? [.. answers.Where(a => a.SessionId is not null).Select(a => a.SessionId!)] : null;
    }

    /// <summary>One silo's answer: whether it answered, and the device's authenticated session there.</summary>
    private readonly record struct SessionAnswer(bool Answered, string? SessionId);

    /// <inheritdoc/>
    public async Task<bool> PublishCommandAsync(string deviceId, byte[] payload, CancellationToken cancellationToken = default)
    {
        if (!local.ReachesOnlyThisSilo)
        {
            if (!local.Health.Healthy) return false;
            await local.PublishCommandAsync(deviceId, payload, cancellationToken);
            return true;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var published = await OnEverySiloAsync(deviceId, async silo => await silo.PublishCommandAsync(deviceId, payload) ? 1 : 0);
        return published.Sum() > 0;
    }

    /// <inheritdoc/>
    public async Task CertificatesRevokedAsync(string tenantId, IReadOnlyCollection<string> serialNumbers)
    {
        if (serialNumbers.Count == 0) return;
        // every silo keeps a view, whichever MQTT mode: the certificate check runs wherever a device connects
        await OnEverySiloAsync(tenantId, async silo =>
        {
            try
            {
                await silo.CertificatesRevokedAsync(tenantId, serialNumbers);
            }
            catch (Exception e) when (e is not SiloUnavailableException)
            {
                ViewNotTold(logger, e, tenantId);
            }
            return 0;
        });
    }

    private Task<int[]> OnEverySiloAsync(string subject, Func<ISiloDeviceChannelGrain, Task<int>> action) => OnEverySiloAsync(subject, action, gone: 0);

    /// <summary>Runs <paramref name="action"/> on every active silo at once; a silo that left meanwhile answers <paramref name="gone"/>.</summary>
    private Task<T[]> OnEverySiloAsync<T>(string subject, Func<ISiloDeviceChannelGrain, Task<T>> action, T gone)
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        return Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return await action(grains.GetGrain<ISiloDeviceChannelGrain>(silo.ToParsableString()));
            }
            catch (SiloUnavailableException e)
            {
                SiloGone(logger, e, silo.ToString(), subject);
                return gone;
            }
        }));
    }

    [LoggerMessage(LogLevel.Warning, "A silo's CRL view of tenant {TenantId} missed a revocation; it catches up at its next reload")]
    private static partial void ViewNotTold(ILogger logger, Exception exception, string tenantId);

    // debug: during a failover every device that moved asks the dying silo, and Orleans' membership logs the silo itself
    [LoggerMessage(LogLevel.Debug, "A silo could not say whether {DeviceId} holds an authenticated session there")]
    private static partial void SessionsNotAnswered(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(LogLevel.Warning, "Silo {Silo} left before it could act for {Subject}")]
    private static partial void SiloGone(ILogger logger, Exception exception, string silo, string subject);
}
