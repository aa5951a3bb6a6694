using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.Ek;

/// <summary>Checks that the EK public area a device presents is the key its EK certificate certifies.</summary>
public static class EkBinding
{
    /// <summary>
    /// Throws <see cref="VerificationException"/> (<see cref="AttestationFailure.EkMismatch"/>) unless the
    /// public area and the certificate carry the same RSA modulus and exponent, or the same curve and point.
    /// </summary>
    public static void CheckMatches(TpmtPublic ekPublic, EkPublicKey certified)
    {
        bool same;
        switch (ekPublic.Parameters, certified)
        {
            case (TpmsRsaParms, EkRsaPublicKey rsa):
                var p = TpmPublicKeys.RsaParameters(ekPublic);
                same = Unsigned(p.Modulus!).SequenceEqual(Unsigned(rsa.Modulus)) && Unsigned(p.Exponent!).SequenceEqual(Unsigned(rsa.Exponent));
                break;
            case (TpmsEccParms ecc, EkEccPublicKey ec):
                // compare the coordinates as presented: a curve we do not know, or a coordinate too long for its curve,
                // is simply not the certified key (TpmPublicKeys.EcParameters would throw ArgumentException for both)
                var curve = TpmPublicKeys.Curve(ecc.Curve);
                same = curve is { } c && c.Oid.Value == ec.Curve.Oid.Value && ekPublic.Unique is TpmEccPublicId { Point: var q }
                    && Unsigned(q.X).SequenceEqual(Unsigned(ec.X)) && Unsigned(q.Y).SequenceEqual(Unsigned(ec.Y));
                break;
            default:
                same = false;
                break;
        }
        if (!same) throw new VerificationException(AttestationFailure.EkMismatch, "the EK public area is not the key its certificate certifies");
    }

    private static ReadOnlySpan<byte> Unsigned(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0) i++;
        return value[i..];
    }
}
