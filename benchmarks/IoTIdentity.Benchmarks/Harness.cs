using System.Diagnostics;

namespace IoTIdentity.Benchmarks;

/// <summary>The cost of one case: the median of its runs and the spread between the fastest and slowest run.</summary>
/// <remarks>
/// <see cref="CpuMicrosPerOp"/> is the measuring thread's CPU time per operation (<see cref="CpuClock"/>), the median
/// over the runs: on a shared machine it stays close to the quiet-machine cost when wall-clock time is stretched by
/// other processes' load. It leaves out work on other threads (background GC, JIT).
/// </remarks>
public sealed record Measurement(double MicrosPerOp, double FastestMicros, double SlowestMicros, double CpuMicrosPerOp, long Operations)
{
    public double OpsPerSecond => 1e6 / MicrosPerOp;

    /// <summary>Half the range of the runs, relative to the median.</summary>
    public double SpreadPercent => (SlowestMicros - FastestMicros) / 2 / MicrosPerOp * 100;
}

/// <summary>
/// A Stopwatch harness: a warm-up long enough for tiered JIT to promote the hot methods, then <c>runs</c> timed
/// runs sharing the case's duration; each run calls the operation in batches of ≥ ~200 µs, so reading the clock
/// costs nothing measurable. Single-threaded; allocations and the GC they cause are part of the cost.
/// </summary>
public static class Harness
{
    private static readonly TimeSpan MinWarmUp = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(3);

    /// <summary>Tiered compilation promotes a method after 30 calls; warm up with more than that.</summary>
    private const int MinWarmUpCalls = 50;

    /// <summary>
    /// Measures <paramref name="cases"/> one after another and prints a row per case (a header per group) to
    /// <paramref name="output"/>. Every case first runs 50 times (at most 200 ms), and the background JIT gets a
    /// moment, so tier-1 recompilation of the shared code (BouncyCastle, marshalling, OpenSSL interop) does not land
    /// in the first cases measured.
    /// </summary>
    /// <returns>The measurements by case key.</returns>
    public static Dictionary<string, Measurement> MeasureAll(IReadOnlyList<BenchCase> cases, TimeSpan duration, int runs, TextWriter output)
    {
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
                output.WriteLine();
                output.WriteLine($"{group,-11}{"case",-58}{"µs/op",11}{"ops/s",11}{"spread",8}{"cpu µs/op",11}");
            }
            var measurement = Measure(benchCase.Run, duration, runs);
            results[benchCase.Key] = measurement;
            output.WriteLine($"{"",-11}{benchCase.Name,-58}{measurement.MicrosPerOp,11:N1}{measurement.OpsPerSecond,11:N0}" +
                $"{$"±{measurement.SpreadPercent:0.0}%",8}{measurement.CpuMicrosPerOp,11:N1}");
        }
        return results;
    }

    /// <summary>Measures one operation: warm-up, then <paramref name="runs"/> timed runs sharing <paramref name="duration"/>.</summary>
    public static Measurement Measure(Action operation, TimeSpan duration, int runs)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        long start = Stopwatch.GetTimestamp();
        long calls = 0;
        TimeSpan elapsed;
        do
        {
            operation();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(start);
        }
        while ((elapsed < MinWarmUp || calls < MinWarmUpCalls) && elapsed < MaxWarmUp);
        double estimate = elapsed.TotalMicroseconds / calls;
        long batch = (long)Math.Clamp(200 / estimate, 1, 1_000_000);

        var perOp = new double[runs];
        var cpuPerOp = new double[runs];
        long total = 0;
        TimeSpan runDuration = duration / runs;
        for (int run = 0; run < runs; run++)
        {
            long ops = 0;
            TimeSpan cpu0 = CpuClock.Now();
            long t0 = Stopwatch.GetTimestamp();
            do
            {
                for (long i = 0; i < batch; i++)
                    operation();
                ops += batch;
                elapsed = Stopwatch.GetElapsedTime(t0);
            }
            while (elapsed < runDuration);
            perOp[run] = elapsed.TotalMicroseconds / ops;
            cpuPerOp[run] = (CpuClock.Now() - cpu0).TotalMicroseconds / ops;
            total += ops;
        }
        Array.Sort(perOp);
        return new Measurement(Median(perOp), perOp[0], perOp[^1], Median(cpuPerOp), total);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }
}
