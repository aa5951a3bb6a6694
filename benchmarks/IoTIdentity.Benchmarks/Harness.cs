using System.Diagnostics;

namespace IoTIdentity.Benchmarks;

/// <summary>The cost of one case: the median of its runs and the spread between the fastest and slowest run.</summary>
/// <remarks>
/// <see cref="CpuMicrosPerOp"/> is the measuring thread's CPU time per operation (<see cref="CpuClock"/>), the median
/// over the runs: on a shared machine it stays close to the quiet-machine cost when wall-clock time is stretched by
/// other processes' load. It leaves out work on other threads (background GC, JIT).
/// </remarks>
internal sealed record Measurement(double MicrosPerOp, double FastestMicros, double SlowestMicros, double CpuMicrosPerOp, long Operations)
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
internal static class Harness
{
    private static readonly TimeSpan MinWarmUp = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(3);

    /// <summary>Tiered compilation promotes a method after 30 calls; warm up with more than that.</summary>
    private const int MinWarmUpCalls = 50;

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
