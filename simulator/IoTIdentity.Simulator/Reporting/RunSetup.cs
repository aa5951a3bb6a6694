using System.Reflection;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>How a fleet run was set up, recorded with each of its reports so a report can be read on its own.</summary>
/// <param name="Scenario">The scenario command (<c>first-boot</c>, <c>soak</c>, ...).</param>
/// <param name="Devices">Devices in the fleet.</param>
/// <param name="Rate">Arrivals per second asked for; null: all at once.</param>
/// <param name="DurationSeconds">How long a steady-rate scenario was asked to run; null when it does not apply.</param>
/// <param name="TpmKind"><c>swtpm</c> or <c>emulated</c>.</param>
/// <param name="TpmCount">TPMs the devices share: swtpm processes, or one emulated TPM per device.</param>
/// <param name="Ek">The EK algorithm of the devices.</param>
/// <param name="Target"><c>in-process</c>, <c>service-process</c>, or the remote service's URL.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Version">The simulator's version.</param>
public sealed record RunSetup(string Scenario, int Devices, double? Rate, double? DurationSeconds, string TpmKind, int TpmCount, string Ek,
    string Target, DateTimeOffset StartedAt, string Version)
{
    /// <summary>The simulator's informational version (the build's version and commit when it knows it).</summary>
    public static string SimulatorVersion { get; } =
        typeof(RunSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RunSetup).Assembly.GetName().Version?.ToString() ?? "unknown";
}
