using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The simulator's inline socket completions are its own: a service it starts runs as shipped, without the switch,
/// unless the caller passes it for that service explicitly.
/// </summary>
public sealed class GeneratorRuntimeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-genruntime-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 180_000)]
    public async Task A_service_the_simulator_starts_runs_without_the_simulator_s_socket_switch_unless_passed_explicitly()
    {
        var dll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("iotid-service.dll not found: dotnet build provisioning/IoTIdentity.Provisioning.Host (same configuration)");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var before = Environment.GetEnvironmentVariable(GeneratorRuntime.InlineCompletions);
        Environment.SetEnvironmentVariable(GeneratorRuntime.InlineCompletions, null);
        try
        {
            GeneratorRuntime.InlineSocketCompletions();
            Assert.Equal("1", Environment.GetEnvironmentVariable(GeneratorRuntime.InlineCompletions));

            await using (var plain = await ServiceProcess.StartAsync(dll, Path.Combine(_directory, "plain"), null, timeout.Token))
                Assert.Null(StartEnvironment(plain.ProcessId).GetValueOrDefault(GeneratorRuntime.InlineCompletions));

            await using (var asked = await ServiceProcess.StartAsync(dll, Path.Combine(_directory, "asked"), null, timeout.Token,
                             environment: new Dictionary<string, string> { [GeneratorRuntime.InlineCompletions] = "1" }))
                Assert.Equal("1", StartEnvironment(asked.ProcessId).GetValueOrDefault(GeneratorRuntime.InlineCompletions));
        }
        finally
        {
            Environment.SetEnvironmentVariable(GeneratorRuntime.InlineCompletions, before);
        }
    }

    /// <summary>The environment a process was started with (Linux: <c>/proc/{pid}/environ</c>).</summary>
    private static Dictionary<string, string> StartEnvironment(int processId) =>
        File.ReadAllText($"/proc/{processId}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");

    [Fact]
    public void An_environment_that_already_says_otherwise_is_left_as_it_is()
    {
        var before = Environment.GetEnvironmentVariable(GeneratorRuntime.InlineCompletions);
        try
        {
            Environment.SetEnvironmentVariable(GeneratorRuntime.InlineCompletions, "0");
            GeneratorRuntime.InlineSocketCompletions();
            Assert.Equal("0", Environment.GetEnvironmentVariable(GeneratorRuntime.InlineCompletions));
        }
        finally
        {
            Environment.SetEnvironmentVariable(GeneratorRuntime.InlineCompletions, before);
        }
    }
}
