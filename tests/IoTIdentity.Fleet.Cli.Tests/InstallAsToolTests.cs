using System.Diagnostics;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>README's install step, run as written: <c>scripts/install-iotid.sh</c> makes <c>iotid</c> a command of its own.</summary>
public sealed class InstallAsToolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-tool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 600_000)]
    public async Task The_install_script_puts_an_iotid_command_in_the_tool_path_that_runs_on_its_own()
    {
        var tools = Path.Combine(_directory, "tools");

        var install = await RunAsync("bash", Path.Combine(Repository(), "scripts", "install-iotid.sh"), "--tool-path", tools);
        Assert.True(install.Code == 0, install.Output);

        // the installed command, not the build output: no dotnet run, no project path
        var help = await RunAsync(Path.Combine(tools, "iotid"), "--help");
        Assert.True(help.Code == 0, help.Output);
        Assert.Contains("devices", help.Output, StringComparison.Ordinal);
        var unreachable = await RunAsync(Path.Combine(tools, "iotid"), "devices", "list", "--url", "http://127.0.0.1:1", "--key", "iotid.dev.k.s");
        Assert.True(unreachable.Code == 3, unreachable.Output);
    }

    [Fact]
    public async Task The_install_script_refuses_an_option_it_does_not_know_and_installs_nothing()
    {
        var refused = await RunAsync("bash", Path.Combine(Repository(), "scripts", "install-iotid.sh"), "--everywhere");

        Assert.Equal(2, refused.Code);
        Assert.Contains("unknown option --everywhere", refused.Output, StringComparison.Ordinal);
    }

    private static string Repository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "IoTIdentity.sln"))) return directory.FullName;
        throw new InvalidOperationException("the repository (IoTIdentity.sln) is not above the test's directory");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
