using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>The built <c>iotid-agent</c> as a child process (<c>dotnet iotid-agent.dll ...</c>), output captured.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// The agent in its own build output (bin/{Configuration}/net10.0 of its project, built by the ProjectReference):
    /// the copy in this test's output would resolve Microsoft.Extensions.* from the ASP.NET framework this test
    /// project references, which the agent's runtimeconfig does not name.
    /// </summary>
    private static string AgentDll { get; } = FindBuilt(Path.Combine("device-agent", "IoTIdentity.DeviceAgent"), "iotid-agent.dll");

    /// <summary>The agent with a hook that kills it at a checkpoint (tests/IoTIdentity.DeviceAgent.TestHost), found the same way.</summary>
    private static string TestHostDll { get; } = FindBuilt(Path.Combine("tests", "IoTIdentity.DeviceAgent.TestHost"), "iotid-agent-testhost.dll");

    private static string FindBuilt(string project, string dll)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        for (var dir = testOutput; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, project, "bin", configuration, framework, dll);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{dll} not found beside the repository; build {project}");
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    private int _disposed;

    /// <summary>The process id (the agent itself: <c>dotnet</c> runs its dll in the process it starts).</summary>
    public int Id => _process.Id;

    /// <summary>"(iotid-agent exited with code N)" once it has exited, for a failure message (a crash leaves no line of its own), else empty.</summary>
    public string ExitNote => _process.HasExited ? $"\n(iotid-agent exited with code {_process.ExitCode})" : "";

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>iotid-agent {verb}</c> configured like <paramref name="device"/>'s options, optionally killed at <paramref name="crashAt"/>.</summary>
    public static AgentProcess Start(AgentHarness device, string verb, IdentityCheckpoint? crashAt = null, params string[] extra) =>
        Start(device.Directory, device.Options, verb, crashAt, extra);

    /// <summary>
    /// Starts <c>iotid-agent {verb}</c> with <paramref name="options"/> written to a config file in
    /// <paramref name="directory"/>; with <paramref name="crashAt"/>, the test host that kills itself there instead.
    /// </summary>
    public static AgentProcess Start(string directory, AgentOptions options, string verb, IdentityCheckpoint? crashAt = null, params string[] extra) =>
        Start(directory, options, new Dictionary<string, string>(), verb, crashAt, extra);

    /// <summary>Starts <c>iotid-agent {verb} {extra}</c> like <paramref name="device"/> with <paramref name="environment"/> added (e.g. the D-Bus address of its tpm2-abrmd).</summary>
    public static AgentProcess Start(AgentHarness device, IReadOnlyDictionary<string, string> environment, string verb, params string[] extra) =>
        Start(device.Directory, device.Options, environment, verb, null, extra);

    private static AgentProcess Start(string directory, AgentOptions options, IReadOnlyDictionary<string, string> environment, string verb, IdentityCheckpoint? crashAt, string[] extra)
    {
        var config = Path.Combine(directory, "agent.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { Agent = options, Logging = new { LogLevel = new { Default = "Information" } } }));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        string[] program = crashAt is { } point ? [TestHostDll, "--kill-at", point.ToString()] : [AgentDll];
        foreach (var arg in program.Concat([verb, "--config", config]).Concat(extra)) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.StandardInput.Close();   // no one answers a confirmation prompt
        return new AgentProcess(process);
    }

    /// <summary>Waits for the process to end by itself.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"iotid-agent did not exit within {timeout}:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Kills this child (only it) and waits; again, nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
