using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Sqlite;

// What one compliance report costs the service for a tenant whose audit log holds N entries, beside the floor measured in
// the same run on the same data: GET /api/v1/audit/verify, which reads and hashes the whole log once.
// dotnet run -c Release --project benchmarks/IoTIdentity.ReportBenchmark [-- --entries 100000 --days 30 --runs 3]
// (build the service first: dotnet build provisioning/IoTIdentity.Provisioning.Host -c Release)

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var entries = Option("--entries", 100_000);
var days = Option("--days", 30);
var runs = Option("--runs", 3);
var service = Path.GetFullPath("provisioning/IoTIdentity.Provisioning.Host/bin/Release/net10.0/iotid-service.dll");
if (!File.Exists(service))
{
    Console.Error.WriteLine($"{service} is missing: run from the repository root after `dotnet build provisioning/IoTIdentity.Provisioning.Host -c Release`");
    return 2;
}

var data = Directory.CreateTempSubdirectory("iotid-report-bench-").FullName;
try
{
    // 1. a first start creates the "dev" tenant and its owner-admin key; then the service stops and its log is filled
    string key;
    await using (var first = await Service.StartAsync(service, data)) key = first.Key ?? throw new InvalidOperationException("no owner-admin key printed");
    var end = DateTimeOffset.UtcNow;
    var fill = Stopwatch.StartNew();
    using (var store = SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = Path.Combine(data, "iotidentity.db"), Durability = SqliteDurability.Normal }))
    {
        var step = TimeSpan.FromDays(days) / entries;
        for (var i = 0; i < entries; i++)
            await store.AppendAuditAsync("dev", Entry(i, end - TimeSpan.FromDays(days) + step * i));
    }
    fill.Stop();

    // 2. the service again, on the filled log; the first checkpoint walks the whole log once, outside the measurements
    await using var running = await Service.StartAsync(service, data);
    using var http = new HttpClient { BaseAddress = new Uri(running.Url), Timeout = TimeSpan.FromMinutes(10) };
    http.DefaultRequestHeaders.Add("X-Api-Key", key);
    (await http.GetAsync("/api/v1/audit/checkpoint")).EnsureSuccessStatusCode();

    Console.WriteLine($"IoTIdentity compliance report benchmark — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs; load average at start: {LoadAverage()}");
    Console.WriteLine($"tenant 'dev' with {entries:N0} audit entries over {days} days (filled in {fill.Elapsed.TotalSeconds:0.0} s); " +
        $"median of {runs} runs; cpu = the service process's user+system time for the request");
    Console.WriteLine();
    Console.WriteLine($"{"request",-62} {"wall ms",10} {"cpu ms",10}");
    var stamp = (DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
    var floor = await MeasureAsync("floor: GET /api/v1/audit/verify (whole log, read + hashed once)", "/api/v1/audit/verify");
    var cases = new (string Name, string Path)[]
    {
        ($"report json, last {Math.Max(1, days / 10)} days (≈{entries / 10:N0} entries in the period)",
            $"/api/v1/reports/compliance?from={stamp(end.AddDays(-Math.Max(1, days / 10)))}&to={stamp(end.AddDays(1))}&format=json"),
        ($"report pdf, last {Math.Max(1, days / 10)} days",
            $"/api/v1/reports/compliance?from={stamp(end.AddDays(-Math.Max(1, days / 10)))}&to={stamp(end.AddDays(1))}&format=pdf"),
        ($"report json, all {days} days (every entry in the period)",
            $"/api/v1/reports/compliance?from={stamp(end.AddDays(-days - 1))}&to={stamp(end.AddDays(1))}&format=json"),
        ($"report json, a past period: days 10-20 of {days}, the rest after it",
            $"/api/v1/reports/compliance?from={stamp(end.AddDays(-days + 10))}&to={stamp(end.AddDays(-days + 20))}&format=json"),
    };
    foreach (var (name, path) in cases)
    {
        var (wall, cpu) = await MeasureAsync(name, path);
        Console.WriteLine($"{"",-62} ratio to floor: {wall / floor.Wall:0.00}× wall, {cpu / floor.Cpu:0.00}× cpu");
    }
    return 0;

    async Task<(double Wall, double Cpu)> MeasureAsync(string name, string path)
    {
        var walls = new List<double>();
        var cpus = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var cpuBefore = running.CpuMilliseconds();
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            clock.Stop();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
            cpus.Add(running.CpuMilliseconds() - cpuBefore);
            walls.Add(clock.Elapsed.TotalMilliseconds);
        }
        var result = (Median(walls), Median(cpus));
        Console.WriteLine($"{name,-62} {result.Item1,10:N1} {result.Item2,10:N1}");
        return result;
    }
}
finally
{
    Directory.Delete(data, recursive: true);
}

int Option(string name, int fallback) =>
    Array.IndexOf(args, name) is >= 0 and var at && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

// a realistic mix: mostly renewals, some enrolments, challenges and refusals, a revocation now and then
static AuditEvent Entry(int i, DateTimeOffset at)
{
    var device = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i % 5000)));
    var (action, outcome, details) = (i % 20) switch
    {
        0 => ("attest", "issued", new Dictionary<string, string> { ["mode"] = "enroll", ["serial"] = $"{i:x32}", ["group"] = "default", ["firmware"] = "fw 1.0" }),
        1 or 2 => ("register", "challenged", new Dictionary<string, string> { ["mode"] = "renew" }),
        3 => ("register", "refused:QuoteInvalid", new Dictionary<string, string> { ["mode"] = "renew" }),
        19 when i % 1000 == 19 => ("revoke", "done", new Dictionary<string, string> { ["reason"] = "keyCompromise" }),
        _ => ("attest", "issued", new Dictionary<string, string> { ["mode"] = "renew", ["serial"] = $"{i:x32}", ["group"] = "default", ["firmware"] = "fw 1.0" }),
    };
    return new AuditEvent { Action = action, Subject = device, Outcome = outcome, Actor = "device", At = at, Details = details };
}

/// <summary>The service as a child process on a free port (port 0; the URL is read from what it prints), with its data directory.</summary>
internal sealed partial class Service : IAsyncDisposable
{
    private readonly Process _process;

    private Service(Process process, string url, string? key) => (_process, Url, Key) = (process, url, key);

    public string Url { get; }

    public string? Key { get; }

    public static async Task<Service> StartAsync(string dll, string data)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { dll, "--dev", "--urls", "http://127.0.0.1:0" }) start.ArgumentList.Add(argument);
        start.Environment["Provisioning__DataDirectory"] = data;
        start.Environment["Mqtt__TlsPort"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        string? url = null, key = null;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (await process.StandardOutput.ReadLineAsync() is { } line && DateTime.UtcNow < deadline)
        {
            if (KeyLine().Match(line) is { Success: true } k) key ??= k.Groups[1].Value;
            if (UrlLine().Match(line) is { Success: true } u) url = u.Groups[1].Value;
            if (line.Contains("[iotid] ready", StringComparison.Ordinal)) break;
        }
        if (url is null) throw new InvalidOperationException("the service did not say where it listens");
        _ = Task.Run(async () => { while (await process.StandardOutput.ReadLineAsync() is not null) { } });
        return new Service(process, url, key);
    }

    /// <summary>The process's user + system CPU time so far (/proc/{pid}/stat, clock ticks of 10 ms).</summary>
    public double CpuMilliseconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"^\[iotid\]\s+(iotid\.dev\.\S+)$")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"HTTP API: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex UrlLine();
}
