using System.Collections.Concurrent;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Channel;

/// <summary>
/// This silo's in-memory CRL view: per tenant, the serials it revoked, so checking a client certificate on CONNECT
/// costs a set lookup, not a grain call. A tenant's set is read from its grain (its stored state) at the first check
/// that needs it; every revocation is added at once by the tenant grain's announcement to every silo
/// (<see cref="ClusterDeviceChannel.CertificatesRevokedAsync"/>); and a set is read again in the background every
/// <see cref="ReloadInterval"/>, so a silo that missed an announcement (a call that failed) catches up. Revocation is
/// permanent, so the set only grows: a read and an announcement that cross merge, and none can undo another.
/// </summary>
public sealed partial class RevocationView(IGrainFactory grains, TimeProvider time, ILogger<RevocationView> logger)
{
    /// <summary>How old a tenant's set may grow before the next check reloads it in the background.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, TenantRevocations> _tenants = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="tenantId"/> revoked <paramref name="serialNumber"/> (lowercase hex, as issued).</summary>
    public async ValueTask<bool> IsRevokedAsync(string tenantId, string serialNumber, CancellationToken cancellationToken)
    {
        var tenant = _tenants.GetOrAdd(tenantId, static _ => new TenantRevocations());
        if (!tenant.HasLoaded) await Read(tenantId, tenant).WaitAsync(cancellationToken).ConfigureAwait(false);
        else if (time.GetUtcNow() - tenant.LoadedAt > ReloadInterval) _ = Read(tenantId, tenant);
        return tenant.Serials.ContainsKey(serialNumber);
    }

    /// <summary>Adds revoked serials (an announcement); a tenant not loaded yet keeps them and still loads at its first check.</summary>
    public void Add(string tenantId, IEnumerable<string> serialNumbers)
    {
        var tenant = _tenants.GetOrAdd(tenantId, static _ => new TenantRevocations());
        foreach (var serial in serialNumbers) tenant.Serials.TryAdd(serial, 0);
    }

    /// <summary>How many times a tenant's set was read from its grain (for tests of the view's cost).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    private long _reads;

    /// <summary>
    /// The read of the tenant's serials under way, or a new one: one at a time per tenant. A failed first read fails
    /// the check that waits for it (and the next check tries again); a failed reload keeps the set as it was.
    /// </summary>
    private Task Read(string tenantId, TenantRevocations tenant)
    {
        lock (tenant)
        {
            if (tenant.Reading is { IsCompleted: false } running) return running;
            tenant.LoadedAt = time.GetUtcNow(); // a reload that fails waits for the next interval
            return tenant.Reading = ReadAsync(tenantId, tenant);
        }
    }

    private async Task ReadAsync(string tenantId, TenantRevocations tenant)
    {
        Interlocked.Increment(ref _reads);
        try
        {
            foreach (var serial in await grains.GetGrain<ITenantGrain>(tenantId).GetRevokedSerialsAsync().ConfigureAwait(false))
                tenant.Serials.TryAdd(serial, 0);
            tenant.HasLoaded = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ReadFailed(logger, e, tenantId);
            if (!tenant.HasLoaded) throw;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Reading the revoked serials of tenant {TenantId} failed; the next certificate check tries again")]
    private static partial void ReadFailed(ILogger logger, Exception exception, string tenantId);

    private sealed class TenantRevocations
    {
        public ConcurrentDictionary<string, byte> Serials { get; } = new(StringComparer.Ordinal);

        public Task? Reading { get; set; }

        public volatile bool HasLoaded;

        public DateTimeOffset LoadedAt { get; set; }
    }
}
