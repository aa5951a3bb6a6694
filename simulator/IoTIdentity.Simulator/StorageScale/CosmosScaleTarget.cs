using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.StorageScale;

/// <summary>
/// A Cosmos DB test server (<see cref="CosmosDbTestServer"/>, <c>@vercel/cosmosdb-server</c> from the source tree) started
/// for the run and stopped after it: the store's items live in its memory, so every run fills from nothing. Filled
/// through the store's single writes (Cosmos has no batch here), <see cref="Parallelism"/> devices at a time; a tenant's
/// audit appends serialize inside the store, as in the service. The server reports no storage use: what is reported
/// is the growth of its resident memory since its containers were created.
/// </summary>
internal sealed class CosmosScaleTarget : StorageScaleTarget
{
    /// <summary>The database the run fills.</summary>
    public const string Database = "iotidentity-scale";

    /// <summary>Devices written at once.</summary>
    private const int Parallelism = 32;

    private readonly CosmosDbTestServer _server;
    private readonly Dictionary<string, string?> _settings;
    private long _baseline;

    private CosmosScaleTarget(CosmosDbTestServer server)
    {
        _server = server;
        _settings = server.ServiceSettings(Database);
    }

    /// <summary>Starts the test server of the source tree and creates the store's database and containers on it.</summary>
    public static async Task<CosmosScaleTarget> StartAsync(CancellationToken cancellationToken)
    {
        var sourceTree = SourceTree.Find() ?? throw new InvalidOperationException(
            $"storage-scale --store cosmos starts the Cosmos DB test server pinned in the source tree (tests/cosmosdb-server), but there is no IoTIdentity.sln above {AppContext.BaseDirectory}: run iotid-sim from its build output in the tree.");
        var target = new CosmosScaleTarget(await CosmosDbTestServer.StartAsync(sourceTree, cancellationToken));
        try
        {
            Close(await target.OpenAsync(cancellationToken));
            target._baseline = target._server.ResidentBytes() ?? 0;
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public override string Description =>
        $"Cosmos DB test server (@vercel/cosmosdb-server, node pid {_server.ProcessId}) at {_server.Endpoint}, database {Database}";

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string?> ServiceSettings => _settings;

    /// <inheritdoc/>
    public override string StoredBytesMeaning => "test server memory growth (node RSS since its containers were created; it reports no storage)";

    /// <inheritdoc/>
    public override async Task FillAsync(int from, int to, byte[] state, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken);
        try
        {
            var now = DateTimeOffset.UtcNow;
            // a window at a time, each whole before the next (CountAsync relies on index order)
            for (var start = from; start < to; start += Parallelism)
            {
                var end = Math.Min(to, start + Parallelism);
                await Task.WhenAll(Enumerable.Range(start, end - start).Select(async i =>
                {
                    var device = FilledDevice.Of(i, state, now);
                    await store.WriteAsync(FilledDevice.StateKind, device.DeviceId, state, null, cancellationToken);
                    await store.TryClaimAsync(FilledDevice.EkScope, device.DeviceId, device.DeviceId, cancellationToken);
                    await store.AppendAuditAsync(FilledDevice.Tenant, device.Register, cancellationToken);
                    await store.AppendAuditAsync(FilledDevice.Tenant, device.Issue, cancellationToken);
                    await store.UpsertDeviceAsync(device.Record, cancellationToken);
                }));
            }
        }
        finally
        {
            Close(store);
        }
    }

    /// <inheritdoc/>
    public override async Task<IProvisioningStore> OpenAsync(CancellationToken cancellationToken) =>
        await CosmosProvisioningStore.OpenAsync(ClusteringConfiguration.CosmosOptions(Configuration()), cancellationToken);

    /// <inheritdoc/>
    public override long StoredBytes() => Math.Max(0, (_server.ResidentBytes() ?? 0) - _baseline);

    /// <inheritdoc/>
    public override ValueTask DisposeAsync() => _server.DisposeAsync();
}
