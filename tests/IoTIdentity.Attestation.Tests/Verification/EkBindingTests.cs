using System.Numerics;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// EkBinding.CheckMatches: the EK public area a device presents must be the key its (validated) EK certificate
/// certifies. Certificates come from the TestKit manufacturer and go through the real EkCertificateValidator.
/// </summary>
public sealed class EkBindingTests(EkFixture ek) : IClassFixture<EkFixture>
{
    private static AttestationFailure Refuse(TpmtPublic area, EkPublicKey certified) =>
        Refusal.Of(() => EkBinding.CheckMatches(area, certified));

    private static TpmtPublic WithPoint(TpmtPublic area, byte[] x, byte[] y) => area with { Unique = new TpmEccPublicId(new TpmsEccPoint(x, y)) };

    // ---- positive controls ----

    [Fact]
    public void An_RSA_EK_public_area_matches_the_certificate_issued_for_it() =>
        EkBinding.CheckMatches(EkFixture.RsaArea(ek.Rsa), ek.Certified(ek.Rsa));

    [Fact]
    public void An_ECC_P256_EK_public_area_matches_the_certificate_issued_for_it() =>
        EkBinding.CheckMatches(EkFixture.EccArea(ek.EccP256), ek.Certified(ek.EccP256));

    [Fact]
    public void An_ECC_P384_EK_public_area_matches_the_certificate_issued_for_it() =>
        EkBinding.CheckMatches(EkFixture.EccArea(ek.EccP384), ek.Certified(ek.EccP384));

    [Fact]
    public void An_ECC_EK_public_area_with_a_coordinate_whose_leading_zero_is_stripped_still_matches()
    {
        ECParameters key;
        do
        {
            using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            key = ecdh.ExportParameters(false);
        }
        while (key.Q.X![0] != 0);
        var stripped = WithPoint(EkFixture.EccArea(key), key.Q.X[1..], key.Q.Y!);

        EkBinding.CheckMatches(stripped, ek.Certified(key));
    }

    // ---- EkMismatch ----

    [Fact]
    public void An_EK_public_area_that_is_not_the_certified_key_fails_with_EkMismatch()
    {
        Assert.Equal(AttestationFailure.EkMismatch, Refuse(EkFixture.RsaArea(ek.OtherRsa), ek.Certified(ek.Rsa)));
        Assert.Equal(AttestationFailure.EkMismatch, Refuse(EkFixture.EccArea(ek.OtherEccP256), ek.Certified(ek.EccP256)));
    }

    [Fact]
    public void An_RSA_EK_public_area_whose_modulus_differs_in_one_bit_fails_with_EkMismatch()
    {
        var modulus = ek.Rsa.Modulus!.ToArray();
        modulus[128] ^= 0x01;

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(EkTemplates.Rsa2048 with { Unique = new TpmRsaPublicId(modulus) }, ek.Certified(ek.Rsa)));
    }

    [Fact]
    public void An_RSA_EK_public_area_with_another_exponent_fails_with_EkMismatch()
    {
        var area = EkFixture.RsaArea(ek.Rsa);
        var exponent3 = area with { Parameters = ((TpmsRsaParms)area.Parameters) with { Exponent = 3 } };

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(exponent3, ek.Certified(ek.Rsa)));
    }

    [Fact]
    public void An_ECC_EK_public_area_whose_point_is_the_negation_of_the_certified_one_fails_with_EkMismatch()
    {
        // same x, y' = p - y: also on the curve, a different key
        var p = BigInteger.Parse("0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber);
        var y = new BigInteger(ek.EccP256.Q.Y, isUnsigned: true, isBigEndian: true);
        var negated = TpmPublicKeys.LeftPad((p - y).ToByteArray(isUnsigned: true, isBigEndian: true), 32);
        var area = WithPoint(EkFixture.EccArea(ek.EccP256), ek.EccP256.Q.X!, negated);

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(area, ek.Certified(ek.EccP256)));
    }

    [Fact]
    public void An_RSA_EK_public_area_presented_with_an_ECC_EK_certificate_fails_with_EkMismatch()
    {
        Assert.Equal(AttestationFailure.EkMismatch, Refuse(EkFixture.RsaArea(ek.Rsa), ek.Certified(ek.EccP256)));
        Assert.Equal(AttestationFailure.EkMismatch, Refuse(EkFixture.EccArea(ek.EccP256), ek.Certified(ek.Rsa)));
    }

    [Fact]
    public void An_ECC_EK_public_area_that_names_another_curve_for_the_certified_point_fails_with_EkMismatch()
    {
        var p256Point = EkFixture.EccArea(ek.EccP256);
        var claimedP384 = p256Point with { Parameters = ((TpmsEccParms)p256Point.Parameters) with { Curve = TpmEccCurve.NistP384 } };

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(claimedP384, ek.Certified(ek.EccP256)));
    }

    [Theory]
    [InlineData((ushort)0x0010)] // TPM_ECC_BN_P256: a curve real TPMs implement
    [InlineData((ushort)0x0000)]
    public void An_ECC_EK_public_area_on_a_curve_the_verifier_does_not_know_fails_with_EkMismatch(ushort curve)
    {
        var area = EkFixture.EccArea(ek.EccP256);
        var unknown = area with { Parameters = ((TpmsEccParms)area.Parameters) with { Curve = (TpmEccCurve)curve } };

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(unknown, ek.Certified(ek.EccP256)));
    }

    [Fact]
    public void An_ECC_EK_public_area_with_a_coordinate_longer_than_its_curve_fails_with_EkMismatch()
    {
        var area = WithPoint(EkFixture.EccArea(ek.EccP256), [0x01, .. ek.EccP256.Q.X!], ek.EccP256.Q.Y!);

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(area, ek.Certified(ek.EccP256)));
    }

    [Fact]
    public void A_keyed_hash_object_presented_as_the_EK_fails_with_EkMismatch()
    {
        var hmac = new TpmtPublic(TpmAlgId.Sha256, KeyTemplates.AkAttributes, [],
            new TpmsKeyedHashParms(new TpmtScheme(TpmAlgId.Hmac, TpmAlgId.Sha256)), new TpmDigestPublicId(new byte[32]));

        Assert.Equal(AttestationFailure.EkMismatch, Refuse(hmac, ek.Certified(ek.Rsa)));
    }
}
