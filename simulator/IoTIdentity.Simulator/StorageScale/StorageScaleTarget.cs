using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.Configuration;

namespace IoTIdentity.Simulator.StorageScale;

/// <summary>
/// Where <c>iotid-sim storage-scale</c> fills and measures: the service's SQLite file (<see cref="SqliteScaleTarget"/>) or
/// a Cosmos DB test server (<see cref="CosmosScaleTarget"/>). Each opens its store with the options the service builds
/// from the same settings it starts the service with.
/// </summary>
internal abstract class StorageScaleTarget : IAsyncDisposable
{
    /// <summary>What the store is and where, for the report.</summary>
    public abstract string Description { get; }

    /// <summary>The settings the service is started with (as <c>--Key value</c> arguments) and the store is opened from.</summary>
    public abstract IReadOnlyDictionary<string, string?> ServiceSettings { get; }

    /// <summary>What <see cref="StoredBytes"/> counts, for the report.</summary>
    public abstract string StoredBytesMeaning { get; }

    /// <summary>Writes devices <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in index order.</summary>
    public abstract Task FillAsync(int from, int to, byte[] state, CancellationToken cancellationToken);

    /// <summary>Opens the store as the service opens it; close it with <see cref="Close"/>.</summary>
    public abstract Task<IProvisioningStore> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The bytes the stored fleet takes (<see cref="StoredBytesMeaning"/>).</summary>
    public abstract long StoredBytes();

    /// <summary>The settings as configuration, for the service's own option builders.</summary>
    protected IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(ServiceSettings).Build();

    /// <summary>The settings as the service's command-line arguments.</summary>
    public IReadOnlyList<string> ServiceArguments() => [.. ServiceSettings.SelectMany(s => new[] { $"--{s.Key}", s.Value ?? "" })];

    /// <summary>How many devices the store already holds (the fill writes whole index ranges in order, so the first missing
    /// index is the count; found by a binary search on inventory lookups).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken);
        try
        {
            var (low, high) = (0, 1);
            while (await store.GetDeviceAsync(FilledDevice.Tenant, FilledDevice.IdOf(high - 1), cancellationToken) is not null) (low, high) = (high, high * 2);
            while (low < high)
            {
                var middle = low + (high - low) / 2;
                if (await store.GetDeviceAsync(FilledDevice.Tenant, FilledDevice.IdOf(middle), cancellationToken) is not null) low = middle + 1;
                else high = middle;
            }
            return low;
        }
        finally
        {
            Close(store);
        }
    }

    /// <summary>Closes a store this target opened (both backends are <see cref="IDisposable"/>).</summary>
    public static void Close(IProvisioningStore store) => (store as IDisposable)?.Dispose();

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
