namespace IoTIdentity.Simulator.Tests;

/// <summary>The stored-state scale run with tiny numbers: it proves the command fills through the store, goes on from a filled file and prints every figure, not how fast anything is.</summary>
public sealed class StorageScaleCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-storage-scale-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 240_000)]
    public async Task The_storage_scale_run_measures_every_figure_at_every_checkpoint_and_goes_on_from_a_filled_store()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        var output = new StringWriter();

        var checkpoints = await StorageScaleCommand.MeasureAsync(new StorageScaleOptions(_directory, [30, 60], Samples: 5), output, timeout.Token);
        var again = await StorageScaleCommand.MeasureAsync(new StorageScaleOptions(_directory, [60, 90], Samples: 5, StartService: false), new StringWriter(), timeout.Token);

        Assert.Equal([30, 60], checkpoints.Select(c => c.Devices));
        Assert.All(checkpoints, c => Assert.True(c.ServiceStartMilliseconds > 0 && c.StoredBytesPerDevice > 0 && c.StoreOpenMilliseconds > 0));
        Assert.Equal([60, 90], again.Select(c => c.Devices));
        var printed = output.ToString();
        foreach (var figure in new[]
                 {
                     "30 devices", "60 devices", "inventory page (100, random position)", "inventory page filtered by state", "device lookup (inventory record)",
                     "device grain state read", "audit query by device (one API page)", "by scanning the log", "store open", "service start until healthy", "bytes per device",
                 })
            Assert.Contains(figure, printed);
        Assert.DoesNotContain("not measured", printed);
    }

    [Fact(Timeout = 480_000)]
    public async Task On_the_Cosmos_test_server_the_run_measures_every_figure_and_starts_the_service_on_it_then_stops_the_server()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(470));
        var output = new StringWriter();

        var checkpoints = await StorageScaleCommand.MeasureAsync(new StorageScaleOptions(_directory, [40, 80], Samples: 5, StartService: true, Store: StorageScaleStore.Cosmos), output, timeout.Token);

        Assert.Equal([40, 80], checkpoints.Select(c => c.Devices));
        Assert.All(checkpoints, c => Assert.True(c.ServiceStartMilliseconds > 0 && c.StoreOpenMilliseconds > 0 && c.Page.P50 > 0 && c.AuditByDevice.P50 > 0));
        var printed = output.ToString();
        foreach (var figure in new[]
                 {
                     "Cosmos DB test server", "40 devices", "80 devices", "inventory page (100, random position)", "inventory page filtered by state",
                     "device lookup (inventory record)", "device grain state read", "audit query by device (one API page)", "by scanning the log", "store open",
                     "service start until healthy", "test server memory growth", "bytes per device",
                 })
            Assert.Contains(figure, printed);
        Assert.DoesNotContain("not measured", printed);
        // the server lived for the run only, and the SQLite file was never created
        var pid = int.Parse(System.Text.RegularExpressions.Regex.Match(printed, @"node pid (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(File.Exists($"/proc/{pid}/status") && File.ReadAllText($"/proc/{pid}/status").Contains("node", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_directory, "iotidentity.db")));
    }

    [Fact]
    public async Task A_page_cache_size_is_refused_for_the_Cosmos_store_and_outside_1_to_4096_MiB_for_SQLite_before_anything_is_written()
    {
        var cosmos = await Assert.ThrowsAsync<ArgumentException>(() => StorageScaleCommand.MeasureAsync(
            new StorageScaleOptions(_directory, [10], Store: StorageScaleStore.Cosmos, CacheMegabytes: 64), new StringWriter(), CancellationToken.None));
        var sqlite = await Assert.ThrowsAsync<InvalidOperationException>(() => StorageScaleCommand.MeasureAsync(
            new StorageScaleOptions(_directory, [10], CacheMegabytes: 0), new StringWriter(), CancellationToken.None));

        Assert.Equal("a page cache size applies to the SQLite store only", cosmos.Message);
        Assert.StartsWith("Storage:Sqlite:CacheMegabytes '0' is not a whole number of MiB from 1 to 4096", sqlite.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "iotidentity.db")));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(1024 * 1024 + 1)]
    public async Task A_state_size_the_store_cannot_hold_is_refused_before_anything_is_written(int stateBytes)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StorageScaleCommand.MeasureAsync(
            new StorageScaleOptions(_directory, [10], StateBytes: stateBytes), new StringWriter(), CancellationToken.None));

        Assert.StartsWith("a device's state must be 16 to 1048576 bytes", error.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "iotidentity.db")));
    }

    [Fact]
    public async Task Checkpoints_that_are_not_ascending_are_refused_before_anything_is_written()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StorageScaleCommand.MeasureAsync(new StorageScaleOptions(_directory, [100, 50]), new StringWriter(), CancellationToken.None));

        Assert.Contains("ascending", error.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "iotidentity.db")));
    }
}
