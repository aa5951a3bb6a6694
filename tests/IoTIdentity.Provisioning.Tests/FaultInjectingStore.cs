using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>One call into the store, as a fault predicate sees it.</summary>
/// <param name="Operation">write, read, delete, claim, release, claim-owner, upsert-device, get-device, remove-device,
/// list-devices, append-audit, read-audit or verify-audit.</param>
/// <param name="Scope">The state kind, claim scope or tenant.</param>
/// <param name="Key">The state key, claimed value or device id ("" where there is none).</param>
public sealed record StoreCall(string Operation, string Scope, string Key);

/// <summary>
/// Wraps the service's <see cref="IProvisioningStore"/> and throws <see cref="StoreUnavailableException"/> (what a
/// backend throws when it is unreachable, busy or full) for the calls a predicate picks, before they reach the store.
/// A device change (<see cref="IProvisioningStore.WriteDeviceChangeAsync"/>) goes through the interface's default, one
/// single write after another as the Cosmos DB store writes it, so a fault can fall between its parts (the SQLite
/// store's one-transaction form is <c>SqliteWriteBatchTests</c>').
/// </summary>
public sealed class FaultInjectingStore(IProvisioningStore inner) : IProvisioningStore, IDisposable, IAsyncDisposable
{
    private Func<StoreCall, bool>? _fault;
    private int _injected;

    /// <summary>Replaces the host's store registration with this decorator around it (a <see cref="ServiceFixture"/> hook).</summary>
    public static void Decorate(IServiceCollection services) => Decorate(services, null);

    /// <summary>As <see cref="Decorate(IServiceCollection)"/>, faulting what <paramref name="fault"/> picks from the store's
    /// first call on (the work a start does included).</summary>
    public static void Decorate(IServiceCollection services, Func<StoreCall, bool>? fault)
    {
        var original = services.Last(d => d.ServiceType == typeof(IProvisioningStore));
        var create = original.ImplementationFactory ?? throw new InvalidOperationException("the host registers the store with a factory");
        services.Remove(original);
        services.AddSingleton<IProvisioningStore>(sp =>
        {
            var store = new FaultInjectingStore((IProvisioningStore)create(sp));
            store.FailWhen(fault);
            return store;
        });
    }

    /// <summary>Faults the calls <paramref name="predicate"/> picks from now on; null heals the store.</summary>
    public void FailWhen(Func<StoreCall, bool>? predicate) => Volatile.Write(ref _fault, predicate);

    /// <summary>How many calls were faulted.</summary>
    public int Injected => Volatile.Read(ref _injected);

    private void Check(string operation, string scope, string key = "")
    {
        if (Volatile.Read(ref _fault) is not { } fault || !fault(new StoreCall(operation, scope, key))) return;
        Interlocked.Increment(ref _injected);
        throw new StoreUnavailableException($"injected fault: {operation} {scope}/{key}");
    }

    public Task<StoredState?> ReadAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        Check("read", kind, key);
        return inner.ReadAsync(kind, key, cancellationToken);
    }

    public Task<string> WriteAsync(string kind, string key, ReadOnlyMemory<byte> data, string? expectedETag, CancellationToken cancellationToken = default)
    {
        Check("write", kind, key);
        return inner.WriteAsync(kind, key, data, expectedETag, cancellationToken);
    }

    public Task DeleteAsync(string kind, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        Check("delete", kind, key);
        return inner.DeleteAsync(kind, key, expectedETag, cancellationToken);
    }

    public Task<bool> TryClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default)
    {
        Check("claim", scope, value);
        return inner.TryClaimAsync(scope, value, owner, cancellationToken);
    }

    public Task<bool> ReleaseClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default)
    {
        Check("release", scope, value);
        return inner.ReleaseClaimAsync(scope, value, owner, cancellationToken);
    }

    public Task<string?> GetClaimOwnerAsync(string scope, string value, CancellationToken cancellationToken = default)
    {
        Check("claim-owner", scope, value);
        return inner.GetClaimOwnerAsync(scope, value, cancellationToken);
    }

    public Task UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default)
    {
        Check("upsert-device", device.TenantId, device.DeviceId);
        return inner.UpsertDeviceAsync(device, cancellationToken);
    }

    public Task<DeviceRecord?> GetDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        Check("get-device", tenantId, deviceId);
        return inner.GetDeviceAsync(tenantId, deviceId, cancellationToken);
    }

    public Task<bool> RemoveDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        Check("remove-device", tenantId, deviceId);
        return inner.RemoveDeviceAsync(tenantId, deviceId, cancellationToken);
    }

    public Task<DevicePage> ListDevicesAsync(string tenantId, DeviceQuery query, CancellationToken cancellationToken = default)
    {
        Check("list-devices", tenantId);
        return inner.ListDevicesAsync(tenantId, query, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListDevicesToReindexAsync(string tenantId, int maxCount, CancellationToken cancellationToken = default)
    {
        Check("list-devices-to-reindex", tenantId);
        return inner.ListDevicesToReindexAsync(tenantId, maxCount, cancellationToken);
    }

    public Task<AuditEntry> AppendAuditAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Check("append-audit", tenantId, auditEvent.Subject);
        return inner.AppendAuditAsync(tenantId, auditEvent, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string tenantId, long fromSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        Check("read-audit", tenantId);
        return inner.ReadAuditAsync(tenantId, fromSequence, maxCount, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAuditBySubjectAsync(string tenantId, string subject, long fromSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        Check("read-audit", tenantId);
        return inner.ReadAuditBySubjectAsync(tenantId, subject, fromSequence, maxCount, cancellationToken);
    }

    public Task<AuditChainVerification> VerifyAuditChainAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        Check("verify-audit", tenantId);
        return inner.VerifyAuditChainAsync(tenantId, cancellationToken);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (inner is IAsyncDisposable disposable) await disposable.DisposeAsync();
        else Dispose();
    }
}
