using System.Globalization;
using System.Runtime.InteropServices;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// How many device connections the embedded endpoint holds at once. Every connection is a file descriptor, and a process
/// that reaches its limit on open files fails wherever it next needs one: without a cap, a flood of bare TCP connects
/// (no TLS, no CONNECT) filled the table, the accept loop spun on <c>EMFILE</c>, and the runtime ended the service with
/// "Out of memory." (BENCHMARKS.md, session 29). So the endpoint holds at most <see cref="MqttEndpointOptions.MaxConnections"/>,
/// by default <see cref="DefaultShare"/> of the descriptors left under the limit when it starts; the rest stay for the
/// runtime, the store, the HTTP API and the cluster.
/// </summary>
public static class ConnectionCapacity
{
    /// <summary>The share of the descriptors left at start that the endpoint takes when no cap is configured.</summary>
    public const double DefaultShare = 0.75;

    /// <summary>The configuration key of the cap.</summary>
    public const string ConfigurationKey = MqttEndpointOptions.SectionName + ":" + nameof(MqttEndpointOptions.MaxConnections);

    /// <summary>
    /// The cap: <paramref name="configured"/> when set, else <see cref="DefaultShare"/> of the descriptors left
    /// (<paramref name="limit"/> − <paramref name="open"/>), at least one; null when the limit is not known (no cap).
    /// </summary>
    public static int? For(int? configured, long? limit, int? open)
    {
        if (configured is { } set) return set;
        if (limit is not { } max || open is not { } used) return null;
        return (int)Math.Clamp((long)((max - used) * DefaultShare), 1, int.MaxValue);
    }

    /// <summary>
    /// Why <paramref name="configured"/> cannot be the cap, or null when it can (or the limit is not known): it must be at
    /// least 1, and at most <see cref="DefaultShare"/> of the descriptors left, because a cap that leaves the process
    /// nothing would let a flood of connections end it. More connections need a higher limit on open files.
    /// </summary>
    public static string? Unreachable(int? configured, long? limit, int? open)
    {
        if (configured is not { } set) return null;
        if (set <= 0) return $"{ConfigurationKey} = {set}: it must be at least 1 (unset, it is {Share} of the file descriptors left at start).";
        if (For(null, limit, open) is not { } most || set <= most) return null;
        return $"{ConfigurationKey} = {set} is more than {most}, {Share} of the {limit - open} file descriptors this process has left " +
            $"(its limit on open files is {limit}, {open} are open): a flood of connections would exhaust them and end the service. " +
            $"Raise the limit (systemd LimitNOFILE=, docker run --ulimit nofile=) or lower {ConfigurationKey}.";
    }

    /// <summary>This process's soft limit on open files (Linux, <c>/proc/self/limits</c>), or null when unknown or unlimited.</summary>
    public static long? OpenFileLimit()
    {
        try
        {
            return File.Exists(LimitsPath) ? ParseOpenFileLimit(File.ReadLines(LimitsPath)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The soft limit in the "Max open files" row of a <c>/proc/…/limits</c> text, or null ("unlimited", or no such row).</summary>
    public static long? ParseOpenFileLimit(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (!line.StartsWith(OpenFilesRow, StringComparison.Ordinal)) continue;
            var fields = line[OpenFilesRow.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }
        return null;
    }

    /// <summary>How many files this process has open now (Linux, <c>/proc/self/fd</c>), or null when unknown.</summary>
    public static int? OpenFiles()
    {
        try
        {
            return Directory.Exists(DescriptorsPath) ? Directory.EnumerateFileSystemEntries(DescriptorsPath).Count() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The largest descriptor table <see cref="ReserveTable"/> makes at start (its pointers take 8 bytes each).</summary>
    public const int LargestReservedTable = 65_536;

    /// <summary>
    /// Grows this process's descriptor table at once to hold <paramref name="descriptors"/> (at most
    /// <see cref="LargestReservedTable"/>, below <paramref name="limit"/>), so connections arriving later never wait for it
    /// to grow: the kernel grows the table by doubling when a new descriptor does not fit, and each time it waits for an
    /// RCU grace period (<c>expand_files</c> → <c>synchronize_rcu</c>) in the middle of an <c>accept</c> (5 such waits,
    /// 336 ms in all, in one capacity run's step to 10,000 connections, BENCHMARKS.md session 28). The table never
    /// shrinks. Linux only: duplicates <c>/dev/null</c> onto the lowest free descriptor at or above that number
    /// (<c>fcntl(F_DUPFD)</c>, which never touches an open one, whatever other threads open meanwhile) and closes it
    /// again. Returns how many descriptors the table holds at least, or null when nothing was done.
    /// </summary>
    public static int? ReserveTable(long descriptors, long? limit)
    {
        if (!OperatingSystem.IsLinux() || limit is not { } max) return null;
        var highest = (int)Math.Min(Math.Min(descriptors, LargestReservedTable), max - 1);
        if (highest <= 0) return null;
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        var duplicate = fcntl((int)devNull.DangerousGetHandle(), DuplicateAtOrAbove, highest);
        if (duplicate < 0) return null;
        close(duplicate);
        return duplicate + 1;
    }

    /// <summary><c>F_DUPFD</c>: a duplicate on the lowest free descriptor at or above the argument.</summary>
    private const int DuplicateAtOrAbove = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int descriptor, int command, int argument);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int descriptor);

    private static readonly string Share = (DefaultShare * 100).ToString("0", CultureInfo.InvariantCulture) + " %";
    private const string LimitsPath = "/proc/self/limits";
    private const string DescriptorsPath = "/proc/self/fd";
    private const string OpenFilesRow = "Max open files";
}
