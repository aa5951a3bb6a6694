using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMU_PUBLIC_ID — Part 2, §12.2.3.2: the unique identifier (public key or digest) of a TPMT_PUBLIC, a closed
/// hierarchy selected by the object's type. In a creation template it is the caller's "unique" entropy.
/// </summary>
public abstract record TpmuPublicId
{
    private protected TpmuPublicId() { }

    /// <summary>Marshals the member (the selector is written by the parent).</summary>
    public abstract void WriteTo(ref TpmWriter writer);

    /// <summary>Whether this member belongs to objects of <paramref name="type"/>.</summary>
    public abstract bool Fits(TpmAlgId type);

    /// <summary>Reads the member selected by <paramref name="type"/>.</summary>
    public static TpmuPublicId ReadFrom(ref TpmReader reader, TpmAlgId type) => type switch
    {
        TpmAlgId.Rsa => new TpmRsaPublicId(reader.ReadSized(Tpm2bLimits.RsaKey, "TPM2B_PUBLIC_KEY_RSA")),
        TpmAlgId.Ecc => new TpmEccPublicId(TpmsEccPoint.ReadFrom(ref reader)),
        TpmAlgId.KeyedHash or TpmAlgId.SymCipher => new TpmDigestPublicId(reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST unique")),
        _ => throw new TpmFormatException($"unknown public object type {type}"),
    };
}

/// <summary>The RSA member: TPM2B_PUBLIC_KEY_RSA, the modulus (Part 2, §11.2.4.5).</summary>
public sealed record TpmRsaPublicId(byte[] Modulus) : TpmuPublicId
{
    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer) => writer.WriteSized(Modulus);

    /// <inheritdoc/>
    public override bool Fits(TpmAlgId type) => type == TpmAlgId.Rsa;
}

/// <summary>The ECC member: TPMS_ECC_POINT, the public point (Part 2, §11.2.5.2).</summary>
public sealed record TpmEccPublicId(TpmsEccPoint Point) : TpmuPublicId
{
    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer) => Point.WriteTo(ref writer);

    /// <inheritdoc/>
    public override bool Fits(TpmAlgId type) => type == TpmAlgId.Ecc;
}

/// <summary>The keyed-hash and symmetric member: TPM2B_DIGEST (Part 2, §10.4.2).</summary>
public sealed record TpmDigestPublicId(byte[] Digest) : TpmuPublicId
{
    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer) => writer.WriteSized(Digest);

    /// <inheritdoc/>
    public override bool Fits(TpmAlgId type) => type is TpmAlgId.KeyedHash or TpmAlgId.SymCipher;
}
