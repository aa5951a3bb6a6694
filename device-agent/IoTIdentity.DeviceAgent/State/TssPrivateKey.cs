using System.Formats.Asn1;
using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.State;

/// <summary>
/// A TPM key as a <c>TSS2 PRIVATE KEY</c> PEM (the ASN.1 <c>TSSPRIVKEY</c> of the "ASN.1 Specification for TPM 2.0
/// Key Files", read by tpm2-openssl, tpm2-tss-engine, the Linux kernel's trusted keys and GnuTLS):
/// <code>
/// TPMKey ::= SEQUENCE {
///   type      OBJECT IDENTIFIER,          -- 2.23.133.10.1.3 loadableKey
///   emptyAuth [0] EXPLICIT BOOLEAN,       -- TRUE: the key has no password
///   parent    INTEGER,                    -- 0x40000001: a primary re-created in the owner hierarchy
///   pubkey    OCTET STRING,               -- TPM2B_PUBLIC
///   privkey   OCTET STRING }              -- TPM2B_PRIVATE
/// </code>
/// For parent 0x40000001 those stacks re-create the owner-hierarchy primary from the TCG default template
/// (ECC NIST P-256, AES-128-CFB, restricted decrypt, userWithAuth|noDA|fixedTPM|fixedParent|sensitiveDataOrigin,
/// empty unique) — which is exactly <see cref="Tpm.Keys.KeyTemplates.SrkEccP256"/>, our SRK, so the file needs no
/// persistent handle. <see cref="IsDefaultParent"/> checks that a key's SRK template is that one.
/// </summary>
public static class TssPrivateKey
{
    /// <summary>OID of a loadable key.</summary>
    public const string LoadableKeyOid = "2.23.133.10.1.3";

    /// <summary>TPM_RH_OWNER, the parent value that means "the default primary of the owner hierarchy".</summary>
    public const uint OwnerParent = 0x40000001;

    /// <summary>The DER encoding of <paramref name="key"/> as a loadable key under the owner's default primary.</summary>
    public static byte[] ToDer(TpmKeyBlobs key)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(LoadableKeyOid);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                writer.WriteBoolean(true);
            writer.WriteInteger(OwnerParent);
            writer.WriteOctetString(TpmMarshal.ToBytes(key.Public));
            writer.WriteOctetString(TpmMarshal.ToBytes(key.Private));
        }
        return writer.Encode();
    }

    /// <summary>The PEM (<c>-----BEGIN TSS2 PRIVATE KEY-----</c>) of <paramref name="key"/>.</summary>
    public static string ToPem(TpmKeyBlobs key) => new string(PemEncoding.Write("TSS2 PRIVATE KEY", ToDer(key))) + "\n";

    /// <summary>Reads a loadable key back (for tests and tools); rejects other types and parents.</summary>
    public static TpmKeyBlobs FromDer(ReadOnlySpan<byte> der)
    {
        var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        if (sequence.ReadObjectIdentifier() != LoadableKeyOid) throw new InvalidDataException("not a loadable TSS2 key");
        if (sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadBoolean();
        if (!sequence.TryReadUInt32(out var parent) || parent != OwnerParent) throw new InvalidDataException("unexpected parent");
        var pub = TpmMarshal.FromBytes<Tpm2b<TpmtPublic>>(sequence.ReadOctetString());
        var priv = TpmMarshal.FromBytes<Tpm2bPrivate>(sequence.ReadOctetString());
        sequence.ThrowIfNotEmpty();
        return new TpmKeyBlobs(pub, priv);
    }

    /// <summary>Whether keys under an SRK of <paramref name="srkTemplate"/> load where parent 0x40000001 says.</summary>
    public static bool IsDefaultParent(TpmtPublic srkTemplate) =>
        TpmMarshal.ToBytes(srkTemplate).AsSpan().SequenceEqual(TpmMarshal.ToBytes(Tpm.Keys.KeyTemplates.SrkEccP256));
}
