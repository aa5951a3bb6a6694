using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// One TPM key, one device id. A device id is the SHA-256 of the EK public area a device sends, so the service
/// accepts only the encodings a TPM itself produces: one of the TCG default EK templates (EK Credential Profile,
/// low range L-1 RSA 2048 and L-2 ECC P-256; high range H-1 RSA 2048, H-2 ECC P-256, H-3 ECC P-384) filled with the
/// key at its full width. Any other attribute, authPolicy, parameter, exponent or size encoding of the same key is
/// refused. Two default templates can still carry one key (L-1 and H-1); the key's <see cref="Fingerprint"/> is
/// therefore claimed in storage by the first device id that attests with it, and no other id may use it.
/// </summary>
public static class EkIdentity
{
    /// <summary>The storage claim scope of EK keys (value: <see cref="Fingerprint"/>, owner: the device id).</summary>
    public const string ClaimScope = "ek-key";

    private static readonly TpmtPublic[] DefaultTemplates =
        [EkTemplates.Rsa2048, EkTemplates.EccP256, EkTemplates.Rsa2048High, EkTemplates.EccP256High, EkTemplates.EccP384High];

    /// <summary>Null when <paramref name="sent"/> is exactly a default EK template filled with the key of <paramref name="ek"/> (its parse).</summary>
    public static Refusal? CheckDefaultTemplate(TpmtPublic ek, byte[] sent)
    {
        foreach (var template in DefaultTemplates)
        {
            if (!FullWidth(template, ek.Unique)) continue;
            if (TpmMarshal.ToBytes(template with { Unique = ek.Unique }).AsSpan().SequenceEqual(sent)) return null;
        }
        return new Refusal(ProvisioningError.EkMismatch, "the EK public area is not a TCG default EK template filled with its key");
    }

    /// <summary>The key alone (algorithm, curve, modulus or point), as lowercase hex SHA-256: what a revocation and a claim follow.</summary>
    public static string Fingerprint(TpmtPublic ek)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        switch (ek.Parameters, ek.Unique)
        {
            case (TpmsRsaParms, TpmRsaPublicId rsa):
                hash.AppendData("rsa\n"u8);
                hash.AppendData(Unsigned(rsa.Modulus));
                break;
            case (TpmsEccParms ecc, TpmEccPublicId { Point: var q }):
                hash.AppendData("ecc\n"u8);
                hash.AppendData(BitConverter.GetBytes((ushort)ecc.Curve));
                hash.AppendData(Unsigned(q.X));
                hash.AppendData("\n"u8);
                hash.AppendData(Unsigned(q.Y));
                break;
            default:
                throw new ArgumentException("an EK is RSA or ECC", nameof(ek));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The key fills the template at its full width (a TPM never drops leading zero bytes), so padding cannot vary.</summary>
    private static bool FullWidth(TpmtPublic template, TpmuPublicId unique) => (template.Parameters, unique) switch
    {
        (TpmsRsaParms p, TpmRsaPublicId rsa) => rsa.Modulus.Length == p.KeyBits / 8,
        (TpmsEccParms p, TpmEccPublicId { Point: var q }) => q.X.Length == CoordinateBytes(p.Curve) && q.Y.Length == CoordinateBytes(p.Curve),
        _ => false,
    };

    private static int CoordinateBytes(Tpm.Types.TpmEccCurve curve) => curve switch
    {
        Tpm.Types.TpmEccCurve.NistP256 => 32,
        Tpm.Types.TpmEccCurve.NistP384 => 48,
        _ => -1,
    };

    private static ReadOnlySpan<byte> Unsigned(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0) i++;
        return value[i..];
    }
}
