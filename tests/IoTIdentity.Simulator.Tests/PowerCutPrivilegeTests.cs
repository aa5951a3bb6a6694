using System.Diagnostics;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The power cut needs CAP_NET_ADMIN itself, not user id 0: a root process without it (a container's default) cannot
/// put a connection in TCP repair mode, its devices would say goodbye as they close, and the scenario would pass
/// without a power cut having happened. Without the capability the run stops before anything starts, saying why.
/// </summary>
public sealed class PowerCutPrivilegeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-sim-powercut-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("CapEff:\t000001fffeffffff", 12, true)]        // root with every capability but CAP_SYS_RESOURCE
    [InlineData("CapEff:\t000001fffeffefff", 12, false)]       // the same without CAP_NET_ADMIN (bit 12)
    [InlineData("CapEff:\t0000000000000000", 12, false)]       // an ordinary user
    [InlineData("CapEff:\t0000000000001000", 12, true)]
    [InlineData("CapEff:\t0000000000001000", 13, false)]
    [InlineData("CapEff:\tnot hex", 12, false)]
    [InlineData("CapPrm:\t000001ffffffffff", 12, false)]        // permitted is not effective
    [InlineData("", 12, false)]
    public void The_effective_set_is_read_from_the_status_line_that_names_it(string line, int capability, bool expected)
    {
        var status = $"Name:\tiotid-sim\nUmask:\t0022\nCapInh:\t0000000000000000\n{line}\nCapBnd:\t000001ffffffffff\n";
        Assert.Equal(expected, PowerCut.HasEffectiveCapability(status, capability));
    }

    [Fact(Timeout = 120_000)]
    public async Task Root_without_CAP_NET_ADMIN_is_told_so_before_anything_starts()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test drops CAP_NET_ADMIN from a root process (setpriv): run the tests as root");
        Assert.Null(PowerCut.Unavailable());     // this process may: the child is the one without it

        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--bounding-set=-net_admin", "--inh-caps=-net_admin", "--", "dotnet", Path.Combine(AppContext.BaseDirectory, "iotid-sim.dll"),
                     "power-cut", "--devices", "2", "--tpm", "emulated", "--fleet", Path.Combine(_directory, "fleet"), "--data", Path.Combine(_directory, "data"),
                     "--reports", Path.Combine(_directory, "reports") })
            start.ArgumentList.Add(arg);
        using var run = Process.Start(start)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var error = await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("CAP_NET_ADMIN", error);
        Assert.Contains("--cap-add NET_ADMIN", error);
        Assert.DoesNotContain("[iotid] ready", await output);            // no service started
        foreach (var made in new[] { "fleet", "data", "reports" }) Assert.False(Directory.Exists(Path.Combine(_directory, made)), $"{made} was made");
    }
}
