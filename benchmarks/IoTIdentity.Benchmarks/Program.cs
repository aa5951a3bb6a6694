using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using IoTIdentity.Benchmarks;

// Verifier throughput beside the raw cost of the primitives it is made of, measured in the same run.
// dotnet run -c Release --project benchmarks/IoTIdentity.Benchmarks [-- --duration 2 --runs 5 --filter text --list]

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Options.Parse(args) is not { } options)
    return 2;

var setup = Stopwatch.StartNew();
using var workload = new Workload();
var cases = workload.Cases.Where(options.Selects).ToList();
if (options.List)
{
    foreach (var benchCase in workload.Cases) Console.WriteLine(benchCase.Title);
    return 0;
}

Console.WriteLine($"IoTIdentity verifier benchmark — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, " +
    $"{Environment.ProcessorCount} logical CPUs, {(Debugger.IsAttached ? "DEBUGGER ATTACHED, " : "")}" +
    $"{(IsOptimized() ? "Release" : "DEBUG BUILD — numbers are meaningless")}");
Console.WriteLine($"single-threaded; {options.Duration.TotalSeconds:0.##} s per case over {options.Runs} runs, median reported; " +
    $"inputs built in {setup.Elapsed.TotalSeconds:0.0} s");
Console.WriteLine($"cpu µs/op = {(CpuClock.IsPerThread ? "the measuring thread's" : "the process's")} CPU time; load average at start: {LoadAverage()}");

// Run every selected path 50 times (at most 200 ms) first and give the background JIT a moment, so tier-1
// recompilation of the shared code (BouncyCastle, marshalling, OpenSSL interop) does not land in the first cases measured.
foreach (var benchCase in cases)
{
    var prePass = Stopwatch.StartNew();
    for (int i = 0; i < 50 && prePass.ElapsedMilliseconds < 200; i++) benchCase.Run();
}
Thread.Sleep(500);

var results = new Dictionary<string, Measurement>();
string? group = null;
foreach (var benchCase in cases)
{
    if (benchCase.Group != group)
    {
        group = benchCase.Group;
        Console.WriteLine();
        Console.WriteLine($"{group,-11}{"case",-58}{"µs/op",11}{"ops/s",11}{"spread",8}{"cpu µs/op",11}");
    }
    var measurement = Harness.Measure(benchCase.Run, options.Duration, options.Runs);
    results[benchCase.Key] = measurement;
    Console.WriteLine($"{"",-11}{benchCase.Name,-58}{measurement.MicrosPerOp,11:N1}{measurement.OpsPerSecond,11:N0}" +
        $"{$"±{measurement.SpreadPercent:0.0}%",8}{measurement.CpuMicrosPerOp,11:N1}");
}

Console.WriteLine();
foreach (var floor in Workload.Floors)
{
    if (!results.TryGetValue(floor.CompositeKey, out var composite) || floor.Parts.Any(p => !results.ContainsKey(p.Key)))
    {
        Console.WriteLine($"ratio {floor.CompositeKey}: not computed (needs {floor.CompositeKey} and {string.Join(", ", floor.Parts.Select(p => p.Key))})");
        continue;
    }
    double wall = floor.Parts.Sum(p => p.Count * results[p.Key].MicrosPerOp);
    double cpu = floor.Parts.Sum(p => p.Count * results[p.Key].CpuMicrosPerOp);
    Console.WriteLine($"ratio {floor.CompositeKey}: {composite.MicrosPerOp:N1} µs ÷ floor {wall:N1} µs = {composite.MicrosPerOp / wall:0.00}× wall; " +
        $"{composite.CpuMicrosPerOp:N1} ÷ {cpu:N1} = {composite.CpuMicrosPerOp / cpu:0.00}× cpu");
    Console.WriteLine($"      floor = {string.Join(" + ", floor.Parts.Select(p => $"{p.Count}×{p.Key}"))}");
}
return 0;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static bool IsOptimized() =>
    typeof(Workload).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is not [DebuggableAttribute { IsJITOptimizerDisabled: true }];
