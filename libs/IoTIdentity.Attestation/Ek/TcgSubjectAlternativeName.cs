using System.Formats.Asn1;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// Reads the TPM identification from an EK certificate's SAN (TCG EK Credential Profile 2.x, §3.2.9): a
/// directoryName whose RDNs hold tcg-at-tpmManufacturer, tcg-at-tpmModel and tcg-at-tpmVersion, as one
/// multi-valued RDN or as three single-valued ones (vendors do both).
/// </summary>
internal static class TcgSubjectAlternativeName
{
    private const string TpmManufacturer = "2.23.133.2.1";
    private const string TpmModel = "2.23.133.2.2";
    private const string TpmVersion = "2.23.133.2.3";

    private static readonly Asn1Tag DirectoryName = new(TagClass.ContextSpecific, 4, isConstructed: true);

    /// <summary>
    /// Parses the SAN extension value. Returns false when it is not a valid GeneralNames; true with null info
    /// when it is valid but names no TPM attributes.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> extensionValue, out TpmManufacturerInfo? info)
    {
        info = null;
        string? manufacturer = null, model = null, version = null;
        try
        {
            var reader = new AsnReader(extensionValue, AsnEncodingRules.BER);
            var generalNames = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (generalNames.HasData)
            {
                if (!generalNames.PeekTag().Equals(DirectoryName))
                {
                    generalNames.ReadEncodedValue();
                    continue;
                }
                var name = generalNames.ReadSequence(DirectoryName).ReadSequence();
                while (name.HasData)
                {
                    var rdn = name.ReadSetOf(skipSortOrderValidation: true);
                    while (rdn.HasData)
                    {
                        var attribute = rdn.ReadSequence();
                        string type = attribute.ReadObjectIdentifier();
                        string? value = ReadString(attribute);
                        switch (type)
                        {
                            case TpmManufacturer: manufacturer = value; break;
                            case TpmModel: model = value; break;
                            case TpmVersion: version = value; break;
                        }
                    }
                }
            }
        }
        catch (AsnContentException)
        {
            return false;
        }
        if (manufacturer is not null || model is not null || version is not null)
            info = new TpmManufacturerInfo(manufacturer, model, version);
        return true;
    }

    private static string? ReadString(AsnReader attribute)
    {
        Asn1Tag tag = attribute.PeekTag();
        if (tag.TagClass == TagClass.Universal && (UniversalTagNumber)tag.TagValue is
            UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String
            or UniversalTagNumber.BMPString or UniversalTagNumber.T61String or UniversalTagNumber.VisibleString)
            return attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue);
        attribute.ReadEncodedValue();
        return null;
    }
}
