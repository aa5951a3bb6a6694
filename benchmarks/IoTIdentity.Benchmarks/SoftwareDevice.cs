using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.TestKit;
using System.Security.Cryptography;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Benchmarks;

/// <summary>
/// What a device's TPM hands the verifier during one enrolment, made in software with real keys: the EK public
/// area (EK template L-1 or L-2 with a real public key) and its certificate, an AK (RSASSA-SHA256 or
/// ECDSA-SHA256), a quote over SHA-256 PCRs 0–7 and a certify of a P-256 device key, both signed by the AK over the
/// marshalled TPMS_ATTEST exactly as a TPM signs it.
/// </summary>
internal sealed class SoftwareDevice : IDisposable
{
    private SoftwareDevice(bool ecc, ManufacturerCa ca)
    {
        IsEcc = ecc;
        if (ecc)
        {
            var ek = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            EkKey = ek;
            var q = ek.ExportParameters(false).Q;
            Ek = EkTemplates.EccP256 with { Unique = new TpmEccPublicId(new TpmsEccPoint(q.X!, q.Y!)) };
            var ak = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            AkKey = ak;
            var p = ak.ExportParameters(false).Q;
            Ak = Tpm2b<TpmtPublic>.From(KeyTemplates.AkEccP256 with { Unique = new TpmEccPublicId(new TpmsEccPoint(p.X!, p.Y!)) });
        }
        else
        {
            var ek = RSA.Create(2048);
            EkKey = ek;
            Ek = EkTemplates.Rsa2048 with { Unique = new TpmRsaPublicId(ek.ExportParameters(false).Modulus!) };
            var ak = RSA.Create(2048);
            AkKey = ak;
            Ak = Tpm2b<TpmtPublic>.From(KeyTemplates.AkRsa2048 with { Unique = new TpmRsaPublicId(ak.ExportParameters(false).Modulus!) });
        }
        EkCertificate = EkKey is RSA rsaEk
            ? ca.IssueEkCertificate(rsaEk.ExportParameters(false))
            : ca.IssueEkCertificate(((ECDiffieHellman)EkKey).ExportParameters(false));
        EkIntermediates = ca.IntermediatesDer;
        AkName = TpmNames.Of(Ak);

        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var d = deviceKey.ExportParameters(false).Q;
        DeviceKey = Tpm2b<TpmtPublic>.From(KeyTemplates.DeviceEccP256 with { Unique = new TpmEccPublicId(new TpmsEccPoint(d.X!, d.Y!)) });

        Nonce = RandomNumberGenerator.GetBytes(32);
        Selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7);
        PcrValues = [.. Enumerable.Range(0, 8).Select(i => new PcrValue(TpmAlgId.Sha256, i, RandomNumberGenerator.GetBytes(32)))];
        var pcrDigest = SHA256.HashData(PcrValues.SelectMany(v => v.Digest).ToArray());
        var clock = new TpmsClockInfo(123_456_789, 17, 0, Safe: true);

        QuoteAttest = TpmMarshal.ToBytes(new TpmsAttest(TpmConstants.Generated, AkName, Nonce, clock, 0x2000_0000_0016_0012,
            new TpmsQuoteInfo(Selection, pcrDigest)));
        QuoteSignature = Sign(QuoteAttest);
        CertifyAttest = TpmMarshal.ToBytes(new TpmsAttest(TpmConstants.Generated, AkName, Nonce, clock, 0x2000_0000_0016_0012,
            new TpmsCertifyInfo(TpmNames.Of(DeviceKey), TpmNames.Of(DeviceKey))));
        CertifySignature = Sign(CertifyAttest);
    }

    public bool IsEcc { get; }

    /// <summary>The EK's software key pair (the TPM would never release the private half; only the public is used).</summary>
    public AsymmetricAlgorithm EkKey { get; }

    /// <summary>The EK public area as CreatePrimary returns it.</summary>
    public TpmtPublic Ek { get; }

    public byte[] EkCertificate { get; }

    public IReadOnlyList<byte[]> EkIntermediates { get; }

    /// <summary>The AK's software key pair.</summary>
    public AsymmetricAlgorithm AkKey { get; }

    public Tpm2b<TpmtPublic> Ak { get; }

    public byte[] AkName { get; }

    public Tpm2b<TpmtPublic> DeviceKey { get; }

    public byte[] Nonce { get; }

    public TpmlPcrSelection Selection { get; }

    public IReadOnlyList<PcrValue> PcrValues { get; }

    public byte[] QuoteAttest { get; }

    public TpmtSignature QuoteSignature { get; }

    public byte[] CertifyAttest { get; }

    public TpmtSignature CertifySignature { get; }

    public static SoftwareDevice CreateRsa(ManufacturerCa ca) => new(ecc: false, ca);

    public static SoftwareDevice CreateEcc(ManufacturerCa ca) => new(ecc: true, ca);

    public void Dispose()
    {
        EkKey.Dispose();
        AkKey.Dispose();
    }

    /// <summary>Signs as TPM2_Quote / TPM2_Certify do: the AK's scheme over the digest of the TPMS_ATTEST bytes.</summary>
    private TpmtSignature Sign(byte[] attest)
    {
        if (AkKey is RSA rsa)
            return new TpmsSignatureRsa(TpmAlgId.RsaSsa, TpmAlgId.Sha256, rsa.SignData(attest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var rs = ((ECDsa)AkKey).SignData(attest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new TpmsSignatureEcc(TpmAlgId.EcDsa, TpmAlgId.Sha256, rs[..32], rs[32..]);
    }
}
