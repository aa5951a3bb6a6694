namespace IoTIdentity.Simulator.Swtpm;

/// <summary>How <see cref="SwtpmProcess.StartAsync"/> prepares a software TPM.</summary>
public sealed record SwtpmOptions
{
    /// <summary>The defaults: template copy (shared EK), powered on, TPM2_Startup(CLEAR) sent.</summary>
    public static SwtpmOptions Default { get; } = new();

    /// <summary>
    /// Provision this instance separately (about a second) so it has its own seeds, EK and EK certificate,
    /// instead of copying the run's template — needed when a test wants distinct devices.
    /// </summary>
    public bool FreshEndorsementKey { get; init; }

    /// <summary>Send TPM2_Startup(CLEAR) after power-on. Transport tests that send Startup themselves turn this off.</summary>
    public bool SendStartup { get; init; } = true;

    /// <summary>
    /// A directory that keeps this TPM's state across runs (the simulator's fleet): provisioned from the run's
    /// template on first use, reused as it is afterwards, and not deleted on dispose.
    /// </summary>
    public string? PersistentDirectory { get; init; }
}
