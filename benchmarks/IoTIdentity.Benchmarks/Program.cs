using System.Diagnostics;
using System.Globalization;
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
Console.WriteLine(Machine.Describe(typeof(Workload).Assembly));
Console.WriteLine($"single-threaded; {options.Duration.TotalSeconds:0.##} s per case over {options.Runs} runs, median reported; " +
    $"inputs built in {setup.Elapsed.TotalSeconds:0.0} s");
Console.WriteLine($"cpu µs/op = {(CpuClock.IsPerThread ? "the measuring thread's" : "the process's")} CPU time; load average at start: {Machine.LoadAverage()}");

var results = Harness.MeasureAll(cases, options.Duration, options.Runs, Console.Out);
if (workload.StateSizes is { } sizes) Console.WriteLine(sizes);

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

