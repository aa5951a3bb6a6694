namespace IoTIdentity.Simulator.Swtpm.Manufacturing;

/// <summary>The shape of a <see cref="ManufacturerCa"/> (how it is created).</summary>
public sealed record ManufacturerCaOptions
{
    /// <summary>The root's common name; different CAs should have different names.</summary>
    public string Name { get; init; } = "IoTIdentity Test TPM Manufacturer";

    /// <summary>The organisation (O=) of the CA certificates.</summary>
    public string Organization { get; init; } = "IoTIdentity Test";

    /// <summary>Put an intermediate (“EK issuing CA”) between the root and the EK certificates.</summary>
    public bool WithIntermediate { get; init; } = true;

    /// <summary>The CA keys: ECDSA P-256 when true, RSA-2048 otherwise.</summary>
    public bool EcdsaKeys { get; init; }

    /// <summary>The time the CA considers “now”; certificate windows are relative to it.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>How long the root and intermediate are valid, starting a day before <see cref="Now"/>.</summary>
    public TimeSpan CaLifetime { get; init; } = TimeSpan.FromDays(365 * 20);
}
