using System.Globalization;

namespace IoTIdentity.TestKit;

/// <summary>How Linux schedules the calling thread, read from /proc/thread-self/stat.</summary>
public static class ThreadScheduling
{
    /// <summary>The thread's scheduling policy (field 41): 0 for the normal <c>SCHED_OTHER</c>, 5 for <c>SCHED_IDLE</c>.</summary>
    public static int Policy() => Field(41);

    /// <summary>The thread's nice value (field 19).</summary>
    public static int Nice() => Field(19);

    private static int Field(int number)
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        // the command name (field 2) is in parentheses and may hold spaces: count from field 3, after its closing one
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[number - 3], CultureInfo.InvariantCulture);
    }
}
