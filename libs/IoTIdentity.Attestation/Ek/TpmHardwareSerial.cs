using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// The one TPM an EK certificate names, when it names one: the <c>hardwareModuleName</c> otherName of its subject
/// alternative name (RFC 4108 §5: <c>hwType</c>, <c>hwSerialNum</c>), or else the <c>serialNumber</c> attribute
/// (2.5.4.5) of its subject, qualified by the TCG <c>tpmManufacturer</c> of the SAN. A TPM's RSA and ECC EK
/// certificates that carry the same serial name the same TPM; many certificates (swtpm's, several vendors') carry none.
/// Read only from a certificate whose chain was validated: the serial is the manufacturer's statement.
/// </summary>
/// <param name="Manufacturer">The TCG manufacturer attribute as written (e.g. <c>id:53575450</c>), empty when absent.</param>
/// <param name="Kind">The <c>hwType</c> OID, or <c>subject-serialNumber</c>.</param>
/// <param name="Serial">The serial, lowercase hex of its octets.</param>
public sealed record TpmHardwareSerial(string Manufacturer, string Kind, string Serial)
{
    /// <summary>id-on-hardwareModuleName (RFC 4108).</summary>
    public const string HardwareModuleNameOid = "1.3.6.1.5.5.7.8.4";

    /// <summary>The kind of a serial read from the subject's serialNumber attribute.</summary>
    public const string SubjectSerialNumber = "subject-serialNumber";

    private const string SubjectAlternativeNameOid = "2.5.29.17";
    private const string SerialNumberAttribute = "2.5.4.5";
    private static readonly Asn1Tag OtherName = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExplicitValue = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>How the TPM is shown: <c>{manufacturer}/{kind}/{serial}</c>.</summary>
    public override string ToString() => $"{Manufacturer}/{Kind}/{Serial}";

    /// <summary>A fixed-length key for the TPM (lowercase hex SHA-256 of <see cref="ToString"/>), for indexes.</summary>
    public string Key => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ToString())));

    /// <summary>The TPM the DER certificate names, or null when it names none or does not parse.</summary>
    public static TpmHardwareSerial? From(byte[] certificateDer)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
            return From(certificate);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The TPM <paramref name="certificate"/> names, or null when it names none.</summary>
    public static TpmHardwareSerial? From(X509Certificate2 certificate) =>
        From(certificate.Extensions[SubjectAlternativeNameOid]?.RawData, certificate.SubjectName);

    /// <summary>The TPM a certificate with this SAN extension value (DER, null when absent) and subject names.</summary>
    internal static TpmHardwareSerial? From(byte[]? san, X500DistinguishedName subject)
    {
        var manufacturer = san is not null && TcgSubjectAlternativeName.TryParse(san, out var info) ? info?.Manufacturer ?? "" : "";
        if (san is not null && ReadHardwareModuleName(san) is { } module) return new(manufacturer, module.Type, module.Serial);
        return ReadSubjectSerialNumber(subject) is { Length: > 0 } serial
            ? new(manufacturer, SubjectSerialNumber, Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(serial)))
            : null;
    }

    private static (string Type, string Serial)? ReadHardwareModuleName(byte[] san)
    {
        try
        {
            var names = new AsnReader(san, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                if (!names.PeekTag().Equals(OtherName))
                {
                    names.ReadEncodedValue();
                    continue;
                }
                var other = names.ReadSequence(OtherName);
                if (other.ReadObjectIdentifier() != HardwareModuleNameOid) continue;
                var module = other.ReadSequence(ExplicitValue).ReadSequence();
                var type = module.ReadObjectIdentifier();
                var serial = module.ReadOctetString();
                if (serial.Length > 0) return (type, Convert.ToHexStringLower(serial));
            }
        }
        catch (AsnContentException)
        {
            // a malformed SAN names no TPM (the validator reports it on its own)
        }
        return null;
    }

    private static string? ReadSubjectSerialNumber(X500DistinguishedName subject)
    {
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == SerialNumberAttribute) return rdn.GetSingleElementValue();
        return null;
    }
}
