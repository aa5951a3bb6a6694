using System.Diagnostics;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The service started on its own, as README says, from a directory that is not the binary's: its data goes to
/// ./.data of that directory, the binary's defaults apply, and the lines a first-time user needs come last, together.
/// </summary>
public sealed class StandaloneServiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-standalone-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 180_000)]
    public async Task A_port_another_process_holds_is_drawn_again_and_a_port_the_caller_fixed_fails_with_the_services_refusal_not_a_crash()
    {
        var dll = ServiceProcess.FindServiceDll() ?? throw new InvalidOperationException("build provisioning/IoTIdentity.Provisioning.Host first");
        var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, FreePorts.Next());
        other.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)other.LocalEndpoint).Port;
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(dll, Path.Combine(_directory, "data"), null,
                CancellationToken.None, ["--Orleans:SiloPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]));

            // every attempt drew its own ports again but met the caller's taken; the last one's refusal is the error, not a crash (134) without a reason
            Assert.StartsWith($"the service exited with {Provisioning.Host.Hosting.PortConflicts.ExitCode} during start-up (attempt 3 of 3, each on ports drawn again):", failure.Message);
            Assert.Contains($"Orleans:SiloPort (127.0.0.1:{port})", failure.Message);
        }
        finally
        {
            other.Stop();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Started_from_another_directory_it_keeps_data_there_and_prints_its_keys_after_the_library_lines()
    {
        var dll = ServiceProcess.FindServiceDll() ?? throw new InvalidOperationException("build provisioning/IoTIdentity.Provisioning.Host first");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true,
            // as the project's launch profile runs it; only the ports differ from the defaults, so parallel runs do not collide
            Environment = { ["Provisioning__Mode"] = "Development" },
            ArgumentList =
            {
                dll, "--Urls", $"http://127.0.0.1:{FreePorts.Next()}", "--Mqtt:TlsPort", "0",
                "--Orleans:SiloPort", $"{FreePorts.Next()}", "--Orleans:GatewayPort", $"{FreePorts.Next()}",
            },
        };
        var lines = new List<string>();
        var ready = new TaskCompletionSource();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            if (e.Data == "[iotid] ready") ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (lines) lines.Add(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(150));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        List<string> output;
        lock (lines) output = [.. lines];
        var text = string.Join('\n', output);
        var data = Path.Combine(_directory, ".data");
        Assert.Contains($"[iotid] data: {data} (Provisioning:DataDirectory)", output);
        Assert.True(File.Exists(Path.Combine(data, "iotidentity.db")), text);
        // the binary's appsettings.json applies: the libraries' information lines and Orleans' start-up warnings stay quiet
        Assert.DoesNotContain(output, l => l.StartsWith("info: Orleans", StringComparison.Ordinal) || l.StartsWith("info: Polly", StringComparison.Ordinal)
            || l.StartsWith("warn: Orleans", StringComparison.Ordinal) || l.StartsWith("info: Microsoft", StringComparison.Ordinal));
        // the keys come after every log line, beside where the API, MQTT and the data are
        var lastLog = output.FindLastIndex(l => l.StartsWith("info:", StringComparison.Ordinal) || l.StartsWith("warn:", StringComparison.Ordinal));
        var tenantKey = output.FindIndex(l => l.StartsWith("[iotid]   iotid.dev.", StringComparison.Ordinal));
        var adminKey = output.FindIndex(l => l.StartsWith("[iotid]   iotid-admin.", StringComparison.Ordinal));
        Assert.True(tenantKey > lastLog && adminKey > tenantKey, text);
        Assert.True(output.FindIndex(l => l.StartsWith("[iotid] HTTP API:", StringComparison.Ordinal)) > adminKey, text);
    }
}
