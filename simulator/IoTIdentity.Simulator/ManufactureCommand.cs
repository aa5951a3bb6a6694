using System.Diagnostics;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Swtpm;
using Spectre.Console;

namespace IoTIdentity.Simulator;

/// <summary>
/// The factory step alone: manufacture a fleet (or top one up) and print its cost per device — wall time, and the
/// CPU the swtpm processes and the simulator spent — so EK algorithms and pool sizes can be compared.
/// </summary>
public static class ManufactureCommand
{
    /// <summary>Manufactures until the fleet in <paramref name="directory"/> has <paramref name="devices"/> devices; 0 on success.</summary>
    public static async Task<int> RunAsync(string directory, int devices, int swtpms, EkAlgorithm ek, CancellationToken cancellationToken)
    {
        SwtpmTools.RequireAll();
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        await using var fleet = await Fleet.LoadOrManufactureAsync(directory, devices, swtpms, cancellationToken, ek);
        ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpu;
        var swtpmCpu = fleet.Swtpms.Select(s => s.CpuTime).Aggregate(TimeSpan.Zero, (a, b) => a + b);
        var made = Math.Max(fleet.Manufactured, 1);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("made", "EK", "swtpms", "wall s", "wall ms/dev", "swtpm CPU ms/dev", "sim CPU ms/dev");
        table.AddRow($"{fleet.Manufactured}", $"{ek}", $"{fleet.Swtpms.Count}", $"{fleet.ManufactureTime.TotalSeconds:F1}",
            $"{fleet.ManufactureTime.TotalMilliseconds / made:F1}", $"{swtpmCpu.TotalMilliseconds / made:F1}", $"{ownCpu.TotalMilliseconds / made:F1}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"fleet: {fleet.Devices.Count} devices in {Markup.Escape(Path.GetFullPath(directory))} (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        return 0;
    }
}
