namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// A start refused before anything runs, because the mode is unknown or a production start lacks a setting it must
/// have (<see cref="ProductionRequirements"/>). The message names the settings and never a value; the binary prints it
/// to stderr and exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class ServiceConfigurationException(string message) : InvalidOperationException(message)
{
    /// <summary>
    /// The process's exit code for a refused start: <c>EX_CONFIG</c> (78, sysexits.h), which tells a supervisor that
    /// restarting will not help until the configuration changes (systemd: <c>RestartPreventExitStatus=78</c>).
    /// </summary>
    public const int ExitCode = 78;
}
