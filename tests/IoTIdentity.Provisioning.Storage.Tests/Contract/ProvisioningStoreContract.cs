using System.Text;

namespace IoTIdentity.Provisioning.Storage.Tests.Contract;

/// <summary>
/// What every <see cref="IProvisioningStore"/> backend must do. A backend's test class derives from this and
/// supplies a store; every test also works in its own freshly named kinds, tenants and scopes, so a backend whose
/// fixture shares one database (a Cosmos emulator) stays isolated too.
/// </summary>
public abstract partial class ProvisioningStoreContract : IAsyncLifetime
{
    private readonly List<IProvisioningStore> _stores = [];

    /// <summary>Returns a store for one test (a new one, or a shared one: tests use unique names).</summary>
    protected abstract Task<IProvisioningStore> CreateStoreAsync();

    /// <summary>
    /// Alters a stored field of audit entry <paramref name="sequence"/> of <paramref name="tenantId"/> behind the
    /// store's back (as an attacker with access to the database would), leaving its stored hash as it was.
    /// </summary>
    protected abstract Task TamperAuditAsync(IProvisioningStore store, string tenantId, long sequence);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            switch (store)
            {
                case IAsyncDisposable disposable:
                    await disposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    protected async Task<IProvisioningStore> StoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Starts <paramref name="count"/> calls on thread-pool threads at once and waits for all of them.</summary>
    protected static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> call)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await call(i);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    /// <summary>Like <see cref="RaceAsync{T}"/>, but records each call's exception instead of throwing it.</summary>
    protected static Task<(T? Result, Exception? Error)[]> RaceCatchingAsync<T>(int count, Func<int, Task<T>> call) =>
        RaceAsync<(T?, Exception?)>(count, async i =>
        {
            try
            {
                return (await call(i), null);
            }
            catch (Exception e)
            {
                return (default, e);
            }
        });

    protected static DeviceRecord Device(
        string tenantId, string deviceId, string state = "Active", bool compliant = true) =>
        new(tenantId, deviceId, state, "1.4.2", "5f3a9c", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            compliant, new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    protected static AuditEvent Event(string action, string subject = "device-1", int n = 0) => new()
    {
        Action = action,
        Subject = subject,
        Outcome = "allowed",
        EvidenceDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Bytes($"evidence {n}"))),
        Actor = subject,
        At = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero).AddSeconds(n),
    };

    [Fact]
    public async Task A_cancelled_call_does_not_reach_the_store()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.WriteAsync(kind, "k", Bytes("x"), null, new CancellationToken(canceled: true)));

        Assert.Null(await store.ReadAsync(kind, "k"));
    }

    [Fact]
    public async Task Empty_overlong_and_malformed_ids_are_refused()
    {
        var store = await StoreAsync();
        string[] bad = ["", new string('x', StoreLimits.MaxIdLength + 1), "lone\uD800surrogate"];
        foreach (var id in bad)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAsync(id, "key"));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.WriteAsync("kind", id, Bytes("x"), null));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync(id, "key", null));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryClaimAsync("scope", id, "owner"));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReleaseClaimAsync("scope", "value", id));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetClaimOwnerAsync(id, "value"));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertDeviceAsync(Device(id, "device")));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetDeviceAsync("tenant", id));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListDevicesAsync(id, new DeviceQuery()));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAuditAsync(id, Event("enrol")));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditAsync(id, 1, 10));
        }

        var kind = Unique("kind");
        var longest = new string('k', StoreLimits.MaxIdLength);
        await store.WriteAsync(kind, longest, Bytes("x"), null);
        Assert.NotNull(await store.ReadAsync(kind, longest));
    }
}
