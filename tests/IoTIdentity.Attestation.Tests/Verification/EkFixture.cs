using IoTIdentity.Simulator.Swtpm.Manufacturing;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// Software EKs (RSA-2048, ECC P-256, ECC P-384) with their public areas in the TCG default EK templates, and a test
/// manufacturer (ECDSA root, no intermediate: fast) whose certificates for them the real validator accepts.
/// </summary>
public sealed class EkFixture : IDisposable
{
    public EkFixture()
    {
        Ca = ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true, WithIntermediate = false });
        Validator = new EkCertificateValidator([Ca.RootDer], new FixedTimeProvider(Ca.Options.Now));
        using (var rsa = RSA.Create(2048)) Rsa = rsa.ExportParameters(false);
        using (var rsa = RSA.Create(2048)) OtherRsa = rsa.ExportParameters(false);
        using (var ecc = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256)) EccP256 = ecc.ExportParameters(false);
        using (var ecc = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256)) OtherEccP256 = ecc.ExportParameters(false);
        using (var ecc = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384)) EccP384 = ecc.ExportParameters(false);
    }

    public ManufacturerCa Ca { get; }
    public EkCertificateValidator Validator { get; }
    public RSAParameters Rsa { get; }
    public RSAParameters OtherRsa { get; }
    public ECParameters EccP256 { get; }
    public ECParameters OtherEccP256 { get; }
    public ECParameters EccP384 { get; }

    /// <summary>Template L-1 with this RSA public key.</summary>
    public static TpmtPublic RsaArea(RSAParameters key) => EkTemplates.Rsa2048 with { Unique = new TpmRsaPublicId(key.Modulus!) };

    /// <summary>Template L-2 (P-256) or H-3 (P-384) with this ECC public key.</summary>
    public static TpmtPublic EccArea(ECParameters key) =>
        (key.Q.X!.Length == 48 ? EkTemplates.EccP384High : EkTemplates.EccP256) with { Unique = new TpmEccPublicId(new TpmsEccPoint(key.Q.X!, key.Q.Y!)) };

    /// <summary>The key the validator reads from a certificate this manufacturer issued for <paramref name="key"/>.</summary>
    public EkPublicKey Certified(RSAParameters key) => Validated(Ca.IssueEkCertificate(key));

    /// <summary>The key the validator reads from a certificate this manufacturer issued for <paramref name="key"/>.</summary>
    public EkPublicKey Certified(ECParameters key) => Validated(Ca.IssueEkCertificate(key));

    private EkPublicKey Validated(byte[] certificate)
    {
        var result = Validator.Validate(certificate, Ca.IntermediatesDer);
        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        return result.Certificate!.PublicKey;
    }

    public void Dispose()
    {
        Validator.Dispose();
        Ca.Dispose();
    }
}
