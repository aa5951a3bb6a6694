using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Simulator.Swtpm.Manufacturing;

/// <summary>How an EK serial number is encoded, including the non-DER encodings some TPM vendors ship.</summary>
public enum EkSerialEncoding
{
    /// <summary>A random positive 16-octet serial, minimally encoded (what a conforming CA writes).</summary>
    Canonical,

    /// <summary>A negative serial (the high bit of the first content octet set), which RFC 5280 forbids.</summary>
    Negative,

    /// <summary>A positive serial with a redundant leading zero octet: not minimal, so not DER.</summary>
    NonMinimal,
}

/// <summary>
/// What an issued EK certificate looks like. The defaults follow the TCG EK Credential Profile 2.x; every knob
/// exists so a negative test can break exactly one thing.
/// </summary>
public sealed record EkCertificateProfile
{
    /// <summary>TPM manufacturer as the profile writes it, e.g. <c>id:53575450</c> (“STWP”, swtpm's); null omits it.</summary>
    public string? Manufacturer { get; init; } = "id:53575450";

    /// <summary>TPM model; null omits it.</summary>
    public string? Model { get; init; } = "swtpm";

    /// <summary>TPM firmware version, e.g. <c>id:00020065</c>; null omits it.</summary>
    public string? Version { get; init; } = "id:00020065";

    /// <summary>
    /// A hardwareModuleName otherName (RFC 4108 §5) added to the SAN: the TPM's type OID and serial number, the same in
    /// every EK certificate of one TPM; null adds none (as swtpm_localca and the TCG profile's minimum).
    /// </summary>
    public (string Type, byte[] Serial)? HardwareModule { get; init; }
    /// <summary>Omit the subject alternative name altogether.</summary>
    public bool OmitSubjectAlternativeName { get; init; }

    /// <summary>Whether the SAN is critical; the profile (and RFC 5280, with an empty subject) says yes.</summary>
    public bool SanCritical { get; init; } = true;

    /// <summary>The subject; the profile says empty.</summary>
    public string Subject { get; init; } = "";

    /// <summary>EKU OIDs; null omits the extension. Default: tcg-kp-EKCertificate (2.23.133.8.1).</summary>
    public IReadOnlyList<string>? ExtendedKeyUsages { get; init; } = ["2.23.133.8.1"];

    /// <summary>Key usage; null picks keyEncipherment for RSA and keyAgreement for ECC.</summary>
    public X509KeyUsageFlags? KeyUsage { get; init; }

    /// <summary>Basic constraints CA flag; an EK certificate has CA=false.</summary>
    public bool IsCa { get; init; }

    /// <summary>Write the TCG subject directory attributes (tcg-at-tpmSpecification 2.0, level 0, revision 138).</summary>
    public bool IncludeSubjectDirectoryAttributes { get; init; } = true;

    /// <summary>Mark the subject directory attributes critical (an unknown critical extension to most verifiers).</summary>
    public bool SubjectDirectoryAttributesCritical { get; init; }

    /// <summary>Start of validity relative to <see cref="ManufacturerCaOptions.Now"/>.</summary>
    public TimeSpan NotBeforeOffset { get; init; } = TimeSpan.FromDays(-1);

    /// <summary>End of validity relative to <see cref="ManufacturerCaOptions.Now"/>.</summary>
    public TimeSpan NotAfterOffset { get; init; } = TimeSpan.FromDays(3650);

    /// <summary>How the serial number is encoded.</summary>
    public EkSerialEncoding SerialEncoding { get; init; } = EkSerialEncoding.Canonical;

    /// <summary>Flip a bit of the signature after signing.</summary>
    public bool CorruptSignature { get; init; }

    /// <summary>Any further extensions, added as given.</summary>
    public IReadOnlyList<X509Extension> ExtraExtensions { get; init; } = [];
}
