using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMT_RSA_SCHEME (Part 2, §11.2.4.2), TPMT_ECC_SCHEME (§11.2.5.6), TPMT_SIG_SCHEME (§11.2.1.5),
/// TPMT_KDF_SCHEME (§11.2.3.3) and TPMT_KEYEDHASH_SCHEME (§11.1.23): a scheme selector followed by its details.
/// Every scheme's details are a hash algorithm (TPMS_SCHEME_HASH) except: NULL and RSAES (none), ECDAA (hash and
/// a UINT16 count) and XOR (hash and a KDF), so one record serves them all; an unknown selector is a format error.
/// </summary>
public sealed record TpmtScheme(TpmAlgId Scheme, TpmAlgId Hash = TpmAlgId.Null, ushort Count = 0, TpmAlgId Kdf = TpmAlgId.Null)
    : ITpmStructure<TpmtScheme>
{
    /// <summary>TPM_ALG_NULL: no scheme.</summary>
    public static TpmtScheme Null { get; } = new(TpmAlgId.Null);

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)Scheme);
        switch (Scheme)
        {
            case TpmAlgId.Null or TpmAlgId.RsaEs:
                return;
            case TpmAlgId.EcDaa:
                writer.WriteUInt16((ushort)Hash);
                writer.WriteUInt16(Count);
                return;
            case TpmAlgId.Xor:
                writer.WriteUInt16((ushort)Hash);
                writer.WriteUInt16((ushort)Kdf);
                return;
            default:
                writer.WriteUInt16((ushort)Hash);
                return;
        }
    }

    /// <inheritdoc/>
    public static TpmtScheme ReadFrom(ref TpmReader reader)
    {
        var scheme = (TpmAlgId)reader.ReadUInt16();
        return scheme switch
        {
            TpmAlgId.Null => Null,
            TpmAlgId.RsaEs => new(scheme),
            TpmAlgId.EcDaa => new(scheme, (TpmAlgId)reader.ReadUInt16(), reader.ReadUInt16()),
            TpmAlgId.Xor => new(scheme, (TpmAlgId)reader.ReadUInt16(), Kdf: (TpmAlgId)reader.ReadUInt16()),
            TpmAlgId.RsaSsa or TpmAlgId.RsaPss or TpmAlgId.Oaep or TpmAlgId.EcDsa or TpmAlgId.EcDh
                or TpmAlgId.EcSchnorr or TpmAlgId.Hmac or TpmAlgId.Kdf1Sp800_56A or TpmAlgId.Kdf1Sp800_108
                => new(scheme, (TpmAlgId)reader.ReadUInt16()),
            _ => throw new TpmFormatException($"unknown scheme {scheme}"),
        };
    }
}
