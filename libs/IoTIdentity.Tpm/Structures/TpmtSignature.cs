using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMT_SIGNATURE — Part 2, §11.3.4: a signature algorithm and its TPMU_SIGNATURE (§11.3.3) member, as a closed
/// hierarchy: RSA (RSASSA, RSAPSS), ECC (ECDSA, ECDAA, ECSCHNORR), HMAC, and NULL.
/// </summary>
public abstract record TpmtSignature : ITpmStructure<TpmtSignature>
{
    private protected TpmtSignature() { }

    /// <summary>TPMI_ALG_SIG_SCHEME: the selector.</summary>
    public abstract TpmAlgId SigAlg { get; }

    /// <summary>The hash the signed digest was made with (TPM_ALG_NULL for a NULL signature).</summary>
    public abstract TpmAlgId Hash { get; }

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)SigAlg);
        WriteBody(ref writer);
    }

    private protected abstract void WriteBody(ref TpmWriter writer);

    /// <inheritdoc/>
    public static TpmtSignature ReadFrom(ref TpmReader reader)
    {
        var sigAlg = (TpmAlgId)reader.ReadUInt16();
        switch (sigAlg)
        {
            case TpmAlgId.Null:
                return TpmsSignatureNull.Instance;
            case TpmAlgId.RsaSsa or TpmAlgId.RsaPss:
                return new TpmsSignatureRsa(sigAlg, ReadHash(ref reader), reader.ReadSized(Tpm2bLimits.RsaKey, "TPM2B_PUBLIC_KEY_RSA sig"));
            case TpmAlgId.EcDsa or TpmAlgId.EcDaa or TpmAlgId.EcSchnorr:
                return new TpmsSignatureEcc(sigAlg, ReadHash(ref reader),
                    reader.ReadSized(Tpm2bLimits.EccParameter, "TPM2B_ECC_PARAMETER signatureR"),
                    reader.ReadSized(Tpm2bLimits.EccParameter, "TPM2B_ECC_PARAMETER signatureS"));
            case TpmAlgId.Hmac:
                var ha = TpmtHa.ReadFrom(ref reader);
                return new TpmsSignatureHmac(ha.Hash, ha.Digest);
            default:
                throw new TpmFormatException($"unknown signature algorithm {sigAlg}");
        }
    }

    private static TpmAlgId ReadHash(ref TpmReader reader)
    {
        var hash = (TpmAlgId)reader.ReadUInt16();
        if (!TpmHash.IsHash(hash)) throw new TpmFormatException($"signature hash {hash} is not a supported hash");
        return hash;
    }
}

/// <summary>TPMS_SIGNATURE_RSA — Part 2, §11.3.1 (RSASSA-PKCS1-v1_5 or RSAPSS).</summary>
public sealed record TpmsSignatureRsa(TpmAlgId Scheme, TpmAlgId HashAlg, byte[] Signature) : TpmtSignature
{
    /// <inheritdoc/>
    public override TpmAlgId SigAlg => Scheme;

    /// <inheritdoc/>
    public override TpmAlgId Hash => HashAlg;

    private protected override void WriteBody(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)HashAlg);
        writer.WriteSized(Signature);
    }
}

/// <summary>TPMS_SIGNATURE_ECC — Part 2, §11.3.2 (r and s as big-endian integers).</summary>
public sealed record TpmsSignatureEcc(TpmAlgId Scheme, TpmAlgId HashAlg, byte[] R, byte[] S) : TpmtSignature
{
    /// <inheritdoc/>
    public override TpmAlgId SigAlg => Scheme;

    /// <inheritdoc/>
    public override TpmAlgId Hash => HashAlg;

    private protected override void WriteBody(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)HashAlg);
        writer.WriteSized(R);
        writer.WriteSized(S);
    }
}

/// <summary>The HMAC member: a TPMT_HA (Part 2, §11.3.3).</summary>
public sealed record TpmsSignatureHmac(TpmAlgId HashAlg, byte[] Digest) : TpmtSignature
{
    /// <inheritdoc/>
    public override TpmAlgId SigAlg => TpmAlgId.Hmac;

    /// <inheritdoc/>
    public override TpmAlgId Hash => HashAlg;

    private protected override void WriteBody(ref TpmWriter writer) => new TpmtHa(HashAlg, Digest).WriteTo(ref writer);
}

/// <summary>The NULL signature (no body).</summary>
public sealed record TpmsSignatureNull : TpmtSignature
{
    private TpmsSignatureNull() { }

    /// <summary>The single NULL signature.</summary>
    public static TpmsSignatureNull Instance { get; } = new();

    /// <inheritdoc/>
    public override TpmAlgId SigAlg => TpmAlgId.Null;

    /// <inheritdoc/>
    public override TpmAlgId Hash => TpmAlgId.Null;

    private protected override void WriteBody(ref TpmWriter writer) { }
}
