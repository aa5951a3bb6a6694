using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMU_PUBLIC_PARMS — Part 2, §12.2.3.7: the algorithm-specific parameters of a TPMT_PUBLIC, a closed hierarchy
/// selected by the object's type.
/// </summary>
public abstract record TpmuPublicParms
{
    private protected TpmuPublicParms() { }

    /// <summary>The TPMI_ALG_PUBLIC selector this member belongs to.</summary>
    public abstract TpmAlgId Type { get; }

    /// <summary>Marshals the member (the selector is written by the parent).</summary>
    public abstract void WriteTo(ref TpmWriter writer);

    /// <summary>Reads the member selected by <paramref name="type"/>.</summary>
    public static TpmuPublicParms ReadFrom(ref TpmReader reader, TpmAlgId type) => type switch
    {
        TpmAlgId.Rsa => new TpmsRsaParms(TpmtSymDef.ReadFrom(ref reader), TpmtScheme.ReadFrom(ref reader), reader.ReadUInt16(), reader.ReadUInt32()),
        TpmAlgId.Ecc => new TpmsEccParms(TpmtSymDef.ReadFrom(ref reader), TpmtScheme.ReadFrom(ref reader), (TpmEccCurve)reader.ReadUInt16(), TpmtScheme.ReadFrom(ref reader)),
        TpmAlgId.KeyedHash => new TpmsKeyedHashParms(TpmtScheme.ReadFrom(ref reader)),
        TpmAlgId.SymCipher => new TpmsSymCipherParms(TpmtSymDef.ReadFrom(ref reader)),
        _ => throw new TpmFormatException($"unknown public object type {type}"),
    };
}

/// <summary>TPMS_RSA_PARMS — Part 2, §12.2.3.5. An exponent of 0 means the default 65537.</summary>
public sealed record TpmsRsaParms(TpmtSymDef Symmetric, TpmtScheme Scheme, ushort KeyBits, uint Exponent) : TpmuPublicParms
{
    /// <inheritdoc/>
    public override TpmAlgId Type => TpmAlgId.Rsa;

    /// <summary>The effective public exponent (0 on the wire means 2^16+1).</summary>
    public uint EffectiveExponent => Exponent == 0 ? 65537u : Exponent;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        Symmetric.WriteTo(ref writer);
        Scheme.WriteTo(ref writer);
        writer.WriteUInt16(KeyBits);
        writer.WriteUInt32(Exponent);
    }
}

/// <summary>TPMS_ECC_PARMS — Part 2, §12.2.3.6.</summary>
public sealed record TpmsEccParms(TpmtSymDef Symmetric, TpmtScheme Scheme, TpmEccCurve Curve, TpmtScheme Kdf) : TpmuPublicParms
{
    /// <inheritdoc/>
    public override TpmAlgId Type => TpmAlgId.Ecc;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        Symmetric.WriteTo(ref writer);
        Scheme.WriteTo(ref writer);
        writer.WriteUInt16((ushort)Curve);
        Kdf.WriteTo(ref writer);
    }
}

/// <summary>TPMS_KEYEDHASH_PARMS — Part 2, §12.2.3.3.</summary>
public sealed record TpmsKeyedHashParms(TpmtScheme Scheme) : TpmuPublicParms
{
    /// <inheritdoc/>
    public override TpmAlgId Type => TpmAlgId.KeyedHash;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer) => Scheme.WriteTo(ref writer);
}

/// <summary>TPMS_SYMCIPHER_PARMS — Part 2, §12.2.3.1.</summary>
public sealed record TpmsSymCipherParms(TpmtSymDef Symmetric) : TpmuPublicParms
{
    /// <inheritdoc/>
    public override TpmAlgId Type => TpmAlgId.SymCipher;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer) => Symmetric.WriteTo(ref writer);
}
