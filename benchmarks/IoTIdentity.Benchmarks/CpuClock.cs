using System.Runtime.InteropServices;

namespace IoTIdentity.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread (Linux: CLOCK_THREAD_CPUTIME_ID), else by the whole process. On a
/// machine shared with other builds it is far steadier than wall time, which counts the time spent preempted.
/// </summary>
public static partial class CpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool IsPerThread { get; } = OperatingSystem.IsLinux() && TryThreadTime(out _);

    public static TimeSpan Now() => IsPerThread && TryThreadTime(out var time) ? time : Environment.CpuUsage.TotalTime;

    private static bool TryThreadTime(out TimeSpan time)
    {
        time = default;
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out var spec) != 0) return false;
            time = TimeSpan.FromTicks(spec.Seconds * TimeSpan.TicksPerSecond + spec.Nanoseconds / 100);
            return true;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
