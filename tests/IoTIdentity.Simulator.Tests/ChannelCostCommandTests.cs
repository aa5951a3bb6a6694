namespace IoTIdentity.Simulator.Tests;

/// <summary>The channel-cost run, end to end with tiny numbers: it proves the command works and prints every figure, not how fast anything is.</summary>
public sealed class ChannelCostCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-channel-cost-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 240_000)]
    public async Task The_channel_cost_run_measures_connects_with_and_without_a_client_certificate_and_renewals_on_both_sessions_beside_the_floor()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        var output = new StringWriter();
        var options = new ChannelCostOptions(Path.Combine(_directory, "fleet"), Path.Combine(_directory, "data"), Path.Combine(_directory, "reports"),
            Devices: 4, Rounds: 1, Parallel: 2, FloorSeconds: 0.05, FloorRuns: 1, Pin: false);

        var report = await ChannelCostCommand.MeasureAsync(options, output, timeout.Token);

        Assert.True(report.MutualConnectFloorMicroseconds > report.PlainConnectFloorMicroseconds);
        Assert.Equal([ChannelCostCommand.PlainConnect, ChannelCostCommand.MutualConnect, ChannelCostCommand.PlainRenewal, ChannelCostCommand.MutualRenewal],
            report.Costs.Select(c => c.Kind));
        Assert.All(report.Costs, c =>
        {
            Assert.Equal(4, c.Operations); // every connect came in the class it asked for, every renewal on the session asked for
            Assert.Equal(0, c.Failed);
            Assert.True(c.ServiceCpuMilliseconds > 0, $"{c.Kind}: the service's CPU is read from its process");
        });
        var printed = output.ToString();
        foreach (var figure in new[] { "floor per connect: enrolment-only", "mTLS adds", "its crypto floor adds", "connect ÷ floor", "renewal on the authenticated session ÷" })
            Assert.Contains(figure, printed);
        Assert.True(File.Exists(Path.Combine(_directory, "reports", "channel-cost.json")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_directory, "data")));
    }
}
