using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The built service (<c>iotid-service.dll</c>) run as its own process, as an operator starts it: in a working
/// directory of the test's, with only the arguments given — none of the test runner's configuration variables
/// (<c>ASPNETCORE_*</c>, <c>DOTNET_*</c>, <c>Section__Key</c>) reach it — optionally under a wrapper command (e.g. in a
/// network namespace of its own). Keeps stdout and stderr apart and together; stops it with SIGTERM.
/// </summary>
internal sealed class ServiceBinaryRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _both = new();

    private ServiceBinaryRun(Process process) => _process = process;

    /// <summary>The service process's id (under a wrapper that execs it, the service's own).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    /// <summary>All it printed, stdout and stderr in the order the lines arrived.</summary>
    public string Output => Read(_both);

    /// <summary>Starts <c>dotnet iotid-service.dll <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>.</summary>
    /// <param name="wrapper">A command line the <c>dotnet</c> command is appended to, which must exec it (so <see cref="Id"/> is the service's).</param>
    public static ServiceBinaryRun Start(IEnumerable<string> arguments, string workingDirectory, IReadOnlyList<string>? wrapper = null)
    {
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("iotid-service.dll not found: dotnet build provisioning/IoTIdentity.Provisioning.Host -c Release");
        List<string> command = [.. wrapper ?? [], "dotnet", serviceDll, .. arguments];
        var start = new ProcessStartInfo(command[0], command.Skip(1))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = workingDirectory,
        };
        foreach (var name in start.Environment.Keys.Where(IsConfiguration).ToList()) start.Environment.Remove(name);
        var run = new ServiceBinaryRun(new Process { StartInfo = start });
        run._process.OutputDataReceived += (_, e) => run.Append(run._stdout, e.Data);
        run._process.ErrorDataReceived += (_, e) => run.Append(run._stderr, e.Data);
        run._process.Start();
        run._process.StandardInput.Close();
        run._process.BeginOutputReadLine();
        run._process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code; fails the test if it runs on past <paramref name="within"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
            Assert.Fail($"the service was still running after {within}:\n{Output}");
        }
        _process.WaitForExit(); // the last lines of output are read
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="ready"/> until it holds; fails the test if the process exits first or <paramref name="within"/> passes.</summary>
    public async Task WaitUntilAsync(string what, Func<Task<bool>> ready, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            Assert.False(_process.HasExited, $"the service exited ({(_process.HasExited ? _process.ExitCode : 0)}) before {what}:\n{Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the service did not reach {what} within {within}:\n{Output}");
            if (await ready()) return;
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the service answers <c>/healthz</c> at <paramref name="api"/> (through <paramref name="handler"/>, which trusts its certificate).</summary>
    public Task WaitUntilHealthyAsync(Uri api, HttpMessageHandler handler) =>
        WaitUntilAsync($"answering {api}healthz", async () =>
        {
            using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = api, Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(3));

    /// <summary>Stops the service as an operator does (SIGTERM), killing it if it has not exited a minute later.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit(); // the last lines of output are read
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>Whether an environment variable would configure the service (host, ASP.NET Core or a <c>Section__Key</c> setting).</summary>
    private static bool IsConfiguration(string name) =>
        name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || (name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("DOTNET_ROOT", StringComparison.OrdinalIgnoreCase))
        || name.Contains("__", StringComparison.Ordinal);

    private void Append(StringBuilder stream, string? line)
    {
        if (line is null) return;
        lock (_both)
        {
            stream.AppendLine(line);
            _both.AppendLine(line);
        }
    }

    private string Read(StringBuilder stream)
    {
        lock (_both) return stream.ToString();
    }
}
