using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// What <see cref="EkCertificateValidator"/> judges of an EK certificate (RFC 5280, 4.1): the names as encoded, the
/// serial's content octets, the validity period, the subject public key as received, and the extensions typed as
/// .NET types them. Read either by a managed DER parse (<see cref="TryRead"/>: no OpenSSL decode, which on OpenSSL 3
/// also decodes the public key through its provider decoders) or from a certificate the platform loaded
/// (<see cref="From"/>), so both feed the same checks.
/// </summary>
/// <remarks>
/// The managed parse takes only the plain shape TPM manufacturers issue and that the platform loader accepts too:
/// a version 3 certificate in DER, a minimally encoded serial, names whose values are UTF8, Printable or IA5 strings
/// that decode, UTCTime or GeneralizedTime to the second in Zulu, no unique identifiers, a non-empty extensions
/// list. Anything else it leaves to the platform (null), so an unusual certificate is judged exactly as before.
/// </remarks>
internal sealed class EkLeaf
{
    private static readonly Asn1Tag Version = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);

    private EkLeaf(byte[] issuerName, byte[] subjectName, ReadOnlyMemory<byte> serial, DateTimeOffset notBefore,
        DateTimeOffset notAfter, string keyAlgorithm, byte[]? keyParameters, byte[] keyValue, X509Extension[] extensions,
        X509Certificate2? platform)
    {
        IssuerName = issuerName;
        SubjectName = subjectName;
        Serial = serial;
        NotBefore = notBefore;
        NotAfter = notAfter;
        KeyAlgorithm = keyAlgorithm;
        KeyParameters = keyParameters;
        KeyValue = keyValue;
        Extensions = extensions;
        Platform = platform;
    }

    /// <summary>The issuer name, DER as received.</summary>
    public byte[] IssuerName { get; }

    /// <summary>The subject name, DER as received.</summary>
    public byte[] SubjectName { get; }

    /// <summary>The serial number's content octets (two's complement).</summary>
    public ReadOnlyMemory<byte> Serial { get; }

    /// <summary>Start of validity, UTC.</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>End of validity, UTC.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The subject public key's algorithm OID.</summary>
    public string KeyAlgorithm { get; }

    /// <summary>The algorithm's parameters, DER; null when absent.</summary>
    public byte[]? KeyParameters { get; }

    /// <summary>The subjectPublicKey BIT STRING's content.</summary>
    public byte[] KeyValue { get; }

    /// <summary>The extensions in order, basic constraints, key usage and EKU as their .NET types.</summary>
    public X509Extension[] Extensions { get; }

    /// <summary>The platform's certificate when it was read by the platform; null after the managed parse.</summary>
    public X509Certificate2? Platform { get; }

    /// <summary>The issuer's distinguished name as text.</summary>
    public string Issuer => new X500DistinguishedName(IssuerName).Name;

    /// <summary>
    /// Reads a certificate the platform loaded; null when a field the checks need does not decode (OpenSSL loads a
    /// certificate whose validity time it then cannot read).
    /// </summary>
    public static EkLeaf? From(X509Certificate2 certificate)
    {
        try
        {
            return new(certificate.IssuerName.RawData, certificate.SubjectName.RawData, certificate.SerialNumberBytes,
                certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), certificate.PublicKey.Oid.Value ?? "",
                certificate.PublicKey.EncodedParameters?.RawData, certificate.PublicKey.EncodedKeyValue.RawData, [.. certificate.Extensions], certificate);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Reads <paramref name="der"/> when it has the plain shape (see the remarks); null otherwise.</summary>
    public static EkLeaf? TryRead(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            AsnReader certificate = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            AsnReader tbs = certificate.ReadSequence();
            ReadAlgorithm(certificate);
            certificate.ReadBitString(out _);
            certificate.ThrowIfNotEmpty();

            if (!tbs.PeekTag().HasSameClassAndValue(Version))
                return null;
            AsnReader version = tbs.ReadSequence(Version);
            if (!version.TryReadInt32(out int v) || v != 2)
                return null;
            version.ThrowIfNotEmpty();
            ReadOnlyMemory<byte> serial = ReadSerial(tbs);
            if (serial.IsEmpty)
                return null;
            ReadAlgorithm(tbs);
            byte[]? issuer = ReadName(tbs);
            AsnReader validity = tbs.ReadSequence();
            DateTimeOffset? notBefore = ReadTime(validity), notAfter = ReadTime(validity);
            validity.ThrowIfNotEmpty();
            byte[]? subject = ReadName(tbs);
            AsnReader spki = tbs.ReadSequence();
            AsnReader keyAlgorithm = spki.ReadSequence();
            string keyOid = keyAlgorithm.ReadObjectIdentifier();
            byte[]? keyParameters = keyAlgorithm.HasData ? keyAlgorithm.ReadEncodedValue().ToArray() : null;
            keyAlgorithm.ThrowIfNotEmpty();
            byte[] keyValue = spki.ReadBitString(out int unusedBits);
            spki.ThrowIfNotEmpty();
            if (issuer is null || subject is null || notBefore is null || notAfter is null || unusedBits != 0
                || !tbs.PeekTag().HasSameClassAndValue(ExtensionsTag))
                return null;
            X509Extension[]? extensions = ReadExtensions(tbs.ReadSequence(ExtensionsTag));
            tbs.ThrowIfNotEmpty();
            return extensions is null ? null
                : new EkLeaf(issuer, subject, serial, notBefore.Value, notAfter.Value, keyOid, keyParameters, keyValue, extensions, null);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>The serial's content octets; empty when it is not a minimally encoded INTEGER.</summary>
    private static ReadOnlyMemory<byte> ReadSerial(AsnReader tbs)
    {
        ReadOnlyMemory<byte> tlv = tbs.ReadEncodedValue();
        if (tlv.Span[0] != 0x02)
            return default;
        AsnDecoder.ReadEncodedValue(tlv.Span, AsnEncodingRules.DER, out int offset, out int length, out _);
        ReadOnlyMemory<byte> content = tlv.Slice(offset, length);
        ReadOnlySpan<byte> value = content.Span;
        bool minimal = value.Length == 1 || !((value[0] == 0x00 && value[1] < 0x80) || (value[0] == 0xFF && value[1] >= 0x80));
        return value.Length > 0 && minimal ? content : default;
    }

    /// <summary>AlgorithmIdentifier: SEQUENCE { OID, parameters ANY OPTIONAL }.</summary>
    private static void ReadAlgorithm(AsnReader reader)
    {
        AsnReader algorithm = reader.ReadSequence();
        algorithm.ReadObjectIdentifier();
        if (algorithm.HasData)
            algorithm.ReadEncodedValue();
        algorithm.ThrowIfNotEmpty();
    }

    /// <summary>Whether <paramref name="name"/> (DER) is, whole, a Name as <see cref="ReadName"/> reads one.</summary>
    public static bool IsPlainName(byte[] name)
    {
        try
        {
            var reader = new AsnReader(name, AsnEncodingRules.DER);
            bool plain = ReadName(reader) is not null;
            reader.ThrowIfNotEmpty();
            return plain;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>A Name whose every RDN is a non-empty SET of (OID, UTF8/Printable/IA5 string that decodes); null otherwise.</summary>
    private static byte[]? ReadName(AsnReader reader)
    {
        ReadOnlyMemory<byte> encoded = reader.PeekEncodedValue();
        AsnReader rdns = reader.ReadSequence();
        while (rdns.HasData)
        {
            AsnReader set = rdns.ReadSetOf();
            if (!set.HasData)
                return null;
            while (set.HasData)
            {
                AsnReader attribute = set.ReadSequence();
                attribute.ReadObjectIdentifier();
                Asn1Tag tag = attribute.PeekTag();
                if (tag.TagClass != TagClass.Universal || (UniversalTagNumber)tag.TagValue is not
                    (UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String))
                    return null;
                attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue);
                attribute.ThrowIfNotEmpty();
            }
        }
        return encoded.ToArray();
    }

    /// <summary>UTCTime or GeneralizedTime to the second in Zulu (RFC 5280, 4.1.2.5); null for any other form.</summary>
    private static DateTimeOffset? ReadTime(AsnReader validity)
    {
        Asn1Tag tag = validity.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.UtcTime))
            return validity.ReadUtcTime();
        if (!tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime) || validity.PeekContentBytes().Length != 15)
            return null;
        return validity.ReadGeneralizedTime();
    }

    /// <summary>Extensions: a non-empty SEQUENCE OF { OID, critical BOOLEAN DEFAULT FALSE, OCTET STRING }; null otherwise.</summary>
    private static X509Extension[]? ReadExtensions(AsnReader explicitExtensions)
    {
        AsnReader sequence = explicitExtensions.ReadSequence();
        explicitExtensions.ThrowIfNotEmpty();
        List<X509Extension> extensions = [];
        while (sequence.HasData)
        {
            AsnReader extension = sequence.ReadSequence();
            string oid = extension.ReadObjectIdentifier();
            bool critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            byte[] value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            extensions.Add(Typed(oid, value, critical));
        }
        return extensions.Count == 0 ? null : [.. extensions];
    }

    /// <summary>The extension as the platform's collection gives it: basic constraints, key usage and EKU typed.</summary>
    private static X509Extension Typed(string oid, byte[] value, bool critical) => oid switch
    {
        "2.5.29.19" => new X509BasicConstraintsExtension(new AsnEncodedData(oid, value), critical),
        "2.5.29.15" => new X509KeyUsageExtension(new AsnEncodedData(oid, value), critical),
        "2.5.29.37" => new X509EnhancedKeyUsageExtension(new AsnEncodedData(oid, value), critical),
        _ => new X509Extension(oid, value, critical),
    };
}
