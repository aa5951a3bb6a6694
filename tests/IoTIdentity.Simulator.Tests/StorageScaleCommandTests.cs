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
        Assert.All(checkpoints, c => Assert.True(c.ServiceStartMilliseconds > 0 && c.DiskBytesPerDevice > 0 && c.StoreOpenMilliseconds > 0));
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

    [Fact]
    public async Task Checkpoints_that_are_not_ascending_are_refused_before_anything_is_written()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StorageScaleCommand.MeasureAsync(new StorageScaleOptions(_directory, [100, 50]), new StringWriter(), CancellationToken.None));

        Assert.Contains("ascending", error.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "iotidentity.db")));
    }
}
