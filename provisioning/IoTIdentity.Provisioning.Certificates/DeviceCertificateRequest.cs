namespace IoTIdentity.Provisioning.Certificates;

/// <summary>What the service has established about a device when it asks for its certificate.</summary>
public sealed record DeviceCertificateRequest
{
    /// <summary>The default lifetime: 30 days.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    /// <summary>The default back-dating of notBefore: 5 minutes.</summary>
    public static readonly TimeSpan DefaultNotBeforeSkew = TimeSpan.FromMinutes(5);

    /// <summary>The DER SubjectPublicKeyInfo of the TPM-resident device key (the certified key); written to the
    /// certificate in canonical DER. RSA 2048+ or ECC P-256/P-384/P-521.</summary>
    public required byte[] SubjectPublicKeyInfo { get; init; }

    /// <summary>The deviceId: lowercase hex, 1–64 digits. Becomes CN and the URI SAN.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The owning tenant; must be the issuing CA's tenant. Becomes O.</summary>
    public required string TenantId { get; init; }

    /// <summary>The TPM holding the key, for the hardwareModuleName otherName
    /// (see <see cref="HardwareModuleName.ForTpm20(ReadOnlySpan{byte})"/>).</summary>
    public required HardwareModuleName HardwareModule { get; init; }

    /// <summary>Where the issuing CA's CRL is published: an absolute http or https URL.</summary>
    public required Uri CrlDistributionPoint { get; init; }

    /// <summary>How long the certificate is valid, counted from now (not from the back-dated notBefore); clamped to the
    /// issuing CA's notAfter. Default 30 days.</summary>
    public TimeSpan Lifetime { get; init; } = DefaultLifetime;

    /// <summary>How far notBefore lies before now, for devices whose clocks lag; default 5 minutes.</summary>
    public TimeSpan NotBeforeSkew { get; init; } = DefaultNotBeforeSkew;
}
