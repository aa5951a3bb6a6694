using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The first run, as <c>./scripts/demo.sh</c> runs it (<c>iotid-sim demo</c>): full device ids, what to try next, a
/// service that keeps running with <c>--keep-running</c>, and a busy port as one line.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-demo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 300_000)]
    public async Task With_keep_running_the_demo_prints_full_device_ids_and_next_steps_that_work_against_the_service_it_keeps_up()
    {
        var lines = new List<string>();
        var waiting = new TaskCompletionSource();
        using var demo = Start(lines, waiting, "--devices", "2", "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", Path.Combine(_directory, "data"), "--keep-running");
        try
        {
            await waiting.Task.WaitAsync(TimeSpan.FromSeconds(240));
            string text;
            lock (lines) text = string.Join('\n', lines);

            var ids = Regex.Matches(text, @"^([0-9a-f]{64}) .* enrolled$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            Assert.True(ids.Count == 2, text);
            Assert.Contains($"  iotid devices get {ids[0]}", text);
            var url = Regex.Match(text, @"export IOTID_URL=(\S+)").Groups[1].Value;
            var keyFile = Regex.Match(text, "export IOTID_API_KEY=\"\\$\\(cat (\\S+)\\)\"").Groups[1].Value;
            Assert.True(url.Length > 0 && keyFile.Length > 0, text);

            // the printed commands still work: the service is up and the key file holds the dev tenant's key
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(keyFile)).Trim());
            using var devices = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/devices/{ids[1]}"));
            Assert.Equal(ids[1], devices.RootElement.GetProperty("deviceId").GetString());
            Assert.False(demo.HasExited);
        }
        finally
        {
            demo.Kill(entireProcessTree: true);
            await demo.WaitForExitAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_busy_HTTP_or_MQTT_port_is_one_line_naming_the_port_and_the_option_that_changes_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        foreach (var (args, option) in new[]
        {
            (new[] { "--urls", $"http://127.0.0.1:{port}", "--mqtt-port", "0" }, "--urls"),
            (new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", $"{port}" }, "--mqtt-port"),
        })
        {
            var start = Info([.. args, "--data", Path.Combine(_directory, "unused")]);
            using var demo = Process.Start(start)!;
            var output = demo.StandardOutput.ReadToEndAsync();
            var error = await demo.StandardError.ReadToEndAsync();
            await demo.WaitForExitAsync();

            Assert.Equal(2, demo.ExitCode);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"port {port}", line);
            Assert.Contains(option, line);
            Assert.Equal("", await output);
            Assert.False(Directory.Exists(Path.Combine(_directory, "unused")), "nothing started");
        }
    }

    private static ProcessStartInfo Info(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "iotid-sim.dll"));
        start.ArgumentList.Add("demo");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }

    private static Process Start(List<string> lines, TaskCompletionSource waiting, params string[] args)
    {
        var demo = Process.Start(Info(args))!;
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            if (e.Data.Contains("keeps running", StringComparison.Ordinal)) waiting.TrySetResult();
        };
        demo.OutputDataReceived += collect;
        demo.ErrorDataReceived += collect;
        demo.Exited += (_, _) => waiting.TrySetException(new InvalidOperationException("the demo exited: " + string.Join('\n', lines)));
        demo.EnableRaisingEvents = true;
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        return demo;
    }
}
