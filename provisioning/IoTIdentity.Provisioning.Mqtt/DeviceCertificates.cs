using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>Reads the identity parts of a device certificate (the same layout the service's issuer writes).</summary>
public static class DeviceCertificates
{
    /// <summary>The URI SAN prefix followed by the device id.</summary>
    public const string DeviceUriPrefix = "urn:iotidentity:device:";

    /// <summary>The device id of the single <c>urn:iotidentity:device:</c> URI SAN, or null (none, or more than one).</summary>
    public static string? DeviceIdOf(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (names is null) return null;
        var ids = new List<string>();
        foreach (var uri in EnumerateUris(names))
            if (uri.StartsWith(DeviceUriPrefix, StringComparison.Ordinal)) ids.Add(uri[DeviceUriPrefix.Length..]);
        return ids.Count == 1 ? ids[0] : null;
    }

    /// <summary>The subject's O= (the tenant that issued the certificate), or null.</summary>
    public static string? TenantIdOf(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(n => n.GetSingleElementType().Value == "2.5.4.10")
            .Select(n => n.GetSingleElementValue())
            .SingleOrDefault();

    private static IEnumerable<string> EnumerateUris(X509SubjectAlternativeNameExtension names)
    {
        var reader = new System.Formats.Asn1.AsnReader(names.RawData, System.Formats.Asn1.AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        var uriTag = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 6);
        while (sequence.HasData)
        {
            var tag = sequence.PeekTag();
            if (tag == uriTag) yield return sequence.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, uriTag);
            else sequence.ReadEncodedValue();
        }
    }
}
