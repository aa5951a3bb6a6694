namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// An EK certificate that passed every check of <see cref="EkCertificateValidator"/>. There is no public
/// constructor: holding one means the checks passed.
/// </summary>
public sealed class EkCertificate
{
    private readonly byte[] _subjectName;
    private readonly byte[]? _subjectAlternativeName;

    internal EkCertificate(byte[] rawData, EkPublicKey publicKey, TpmManufacturerInfo? manufacturer, string serialNumber,
        string issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, IReadOnlyList<byte[]> issuerChain,
        byte[] subjectName, byte[]? subjectAlternativeName)
    {
        _subjectName = subjectName;
        _subjectAlternativeName = subjectAlternativeName;
        RawData = rawData;
        PublicKey = publicKey;
        Manufacturer = manufacturer;
        SerialNumber = serialNumber;
        Issuer = issuer;
        NotBefore = notBefore;
        NotAfter = notAfter;
        IssuerChain = issuerChain;
    }

    /// <summary>The certificate exactly as received (the octets whose signature was verified).</summary>
    public byte[] RawData { get; }

    /// <summary>The EK public key; the caller must still check it equals the TPM's EK public area.</summary>
    public EkPublicKey PublicKey { get; }

    /// <summary>The TPM identification from the SAN, or null when the certificate has none.</summary>
    public TpmManufacturerInfo? Manufacturer { get; }

    /// <summary>The serial number as received, uppercase hex of its content octets.</summary>
    public string SerialNumber { get; }

    /// <summary>The issuer's distinguished name.</summary>
    public string Issuer { get; }

    /// <summary>Start of validity.</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>End of validity.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The certificates above the EK certificate, DER, from its issuer up to and including the trusted root.</summary>
    public IReadOnlyList<byte[]> IssuerChain { get; }

    /// <summary>
    /// The TPM the certificate names (see <see cref="TpmHardwareSerial"/>), or null when it names none — read from
    /// the subject and SAN already parsed, without decoding the certificate again.
    /// </summary>
    public TpmHardwareSerial? HardwareSerial => TpmHardwareSerial.From(_subjectAlternativeName, new System.Security.Cryptography.X509Certificates.X500DistinguishedName(_subjectName));
}
