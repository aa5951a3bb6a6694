using System.Globalization;

namespace IoTIdentity.TestKit;

/// <summary>The calling thread's nice value on Linux, as the kernel schedules it (field 19 of /proc/thread-self/stat).</summary>
public static class ThreadNice
{
    public static int Current()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        // the command name (field 2) is in parentheses and may hold spaces: count from after its closing one
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], CultureInfo.InvariantCulture);
    }
}
