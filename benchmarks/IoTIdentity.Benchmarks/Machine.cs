using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace IoTIdentity.Benchmarks;

/// <summary>What a benchmark prints about where it ran: runtime, OS, CPUs, build, load.</summary>
public static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>One line: runtime, OS, logical CPUs, and whether <paramref name="measured"/> was built optimised.</summary>
    public static string Describe(Assembly measured) =>
        $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, " +
        $"{Environment.ProcessorCount} logical CPUs, {(Debugger.IsAttached ? "DEBUGGER ATTACHED, " : "")}" +
        $"{(IsOptimized(measured) ? "Release" : "DEBUG BUILD — numbers are meaningless")}";

    private static bool IsOptimized(Assembly assembly) =>
        assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is not [DebuggableAttribute { IsJITOptimizerDisabled: true }];
}
