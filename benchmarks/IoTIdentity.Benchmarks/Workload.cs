using IoTIdentity.Simulator.Swtpm.Manufacturing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Crypto;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Benchmarks;

/// <summary>
/// The inputs (two software devices, two manufacturer CAs, one validator, one tenant issuing CA) and the cases
/// measured over them: the verifier's public entry points, the service's CSR check and certificate issuance, and
/// the raw primitives they are built from. <c>iotid-sim benchmark</c> measures the <see cref="ServiceFloorKeys"/>
/// cases as the crypto floor of one enrolment.
/// </summary>
public sealed class Workload : IDisposable
{
    /// <summary>The verifier's entry points and whole enrolments.</summary>
    public const string Verifier = "verifier";

    /// <summary>What the service adds to the verifier for one enrolment: the CSR check and the certificate.</summary>
    public const string Service = "service";

    /// <summary>The raw primitives.</summary>
    public const string Primitives = "primitives";

    /// <summary>Pieces of the verifier steps, for explaining a gap to the floor; run only when a filter names them.</summary>
    public const string Breakdown = "breakdown";

    /// <summary>What the device grain's state costs to write and read as its history grows; run only when a filter names them.</summary>
    public const string State = "state";

    // built when a state case first runs (a year of certificates takes a moment to make)
    private readonly Lazy<DeviceStateSizes> _states = new(() => new DeviceStateSizes());

    private static readonly byte[] IdentityLabel = "IDENTITY\0"u8.ToArray();

    private readonly ManufacturerCa _rsaCa = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Benchmark TPM Manufacturer RSA" });
    private readonly ManufacturerCa _eccCa = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Benchmark TPM Manufacturer ECC", EcdsaKeys = true });
    private readonly SoftwareDevice _rsa;
    private readonly SoftwareDevice _ecc;
    private readonly EkCertificateValidator _validator;
    private readonly EkCertificateValidator _otherRootsValidator;
    private readonly RandomNumberGenerator _random = RandomNumberGenerator.Create();

    // Primitive inputs: keys made once, as a verifier that cached them would hold them.
    private readonly RSA _rsaAkPublic;
    private readonly ECDsa _eccAkPublic;
    private readonly ECDiffieHellmanPublicKey _eccEkPublic;
    private readonly BigInteger _ekModulus;
    private readonly BigInteger _ekExponent = BigInteger.ValueOf(65537);
    private readonly RsaKeyParameters _ekBouncyCastleKey;
    private readonly SecureRandom _bouncyCastleRandom = new();
    private readonly byte[] _kilobyte = RandomNumberGenerator.GetBytes(1024);
    private readonly byte[] _seed = RandomNumberGenerator.GetBytes(32);
    private MadeCredential? _madeForActivation;
    private readonly RSA _rsaEkPublic;
    private readonly X509Certificate2 _rsaEkCertificate;
    private readonly BigInteger _bcMessage;
    private readonly System.Numerics.BigInteger _numericsMessage;
    private readonly System.Numerics.BigInteger _numericsModulus;
    private readonly KeyEncryptionKeyRing _keyRing = new(new KeyEncryptionKey("benchmark", RandomNumberGenerator.GetBytes(KeyEncryptionKey.KeySizeInBytes)), [], RandomNumberGenerator.Create());
    private readonly IssuingCa _issuingCa;
    private readonly DeviceCertificateIssuer _issuer = new(TimeProvider.System, RandomNumberGenerator.Create());
    private readonly byte[] _largestEventLog = LargestEventLog();

    public Workload()
    {
        _rsa = SoftwareDevice.CreateRsa(_rsaCa);
        _ecc = SoftwareDevice.CreateEcc(_eccCa);
        _validator = new EkCertificateValidator([_rsaCa.RootDer, _eccCa.RootDer], TimeProvider.System);
        _otherRootsValidator = new EkCertificateValidator([_rsaCa.RootDer], TimeProvider.System);
        foreach (var device in new[] { _rsa, _ecc })
        {
            var result = _validator.Validate(device.EkCertificate, device.EkIntermediates);
            if (!result.IsValid) throw new InvalidOperationException($"the benchmark's own EK certificate fails: {result.Failure} {result.Detail}");
        }

        _rsaAkPublic = RSA.Create(((RSA)_rsa.AkKey).ExportParameters(false));
        _eccAkPublic = ECDsa.Create(((ECDsa)_ecc.AkKey).ExportParameters(false));
        _eccEkPublic = ((ECDiffieHellman)_ecc.EkKey).PublicKey;
        _ekModulus = new BigInteger(1, ((RSA)_rsa.EkKey).ExportParameters(false).Modulus!);
        _ekBouncyCastleKey = BouncyCastleKeyAsCredentialMakerBuildsIt();
        _rsaEkCertificate = X509CertificateLoader.LoadCertificate(_rsa.EkCertificate);
        _rsaEkPublic = RSA.Create(((RSA)_rsa.EkKey).ExportParameters(false));
        var message = RandomNumberGenerator.GetBytes(255);
        _bcMessage = new BigInteger(1, message);
        _numericsMessage = new System.Numerics.BigInteger(message, isUnsigned: true, isBigEndian: true);
        _numericsModulus = new System.Numerics.BigInteger(((RSA)_rsa.EkKey).ExportParameters(false).Modulus, isUnsigned: true, isBigEndian: true);
        _issuingCa = IssuingCa.Load(new TenantCertificateAuthority(_keyRing, TimeProvider.System, RandomNumberGenerator.Create()).Create("benchmark"), _keyRing);
    }

    /// <summary>
    /// The cases that make up the crypto floor of one enrolment as the service performs it with the simulator's
    /// devices (ECC EK, ECC AK, P-256 device key); the last is their sum measured as one operation.
    /// </summary>
    public static IReadOnlyList<string> ServiceFloorKeys { get; } = ["ekcert-ecc", "make-ecc", "quote-ecc", "certify-ecc", "csr", "issue", "enrol-service-ecc"];

    /// <summary>Every case, in the order they are measured.</summary>
    public IReadOnlyList<BenchCase> Cases =>
    [
        new(Verifier, "make-rsa", "MakeCredential, RSA-2048 EK (activation prepared)", () => CredentialMaker.Make(_rsa.Ek, _rsa.AkName, _random)),
        new(Verifier, "make-ecc", "MakeCredential, ECC P-256 EK (activation prepared)", () => CredentialMaker.Make(_ecc.Ek, _ecc.AkName, _random)),
        new(Verifier, "check-activation", "CheckActivation (secret returned by the device)", CheckActivation),
        new(Verifier, "quote-rsa", "QuoteVerifier.Verify, RSA-2048 AK, 8 PCRs", () => VerifyQuote(_rsa)),
        new(Verifier, "quote-ecc", "QuoteVerifier.Verify, ECC P-256 AK, 8 PCRs", () => VerifyQuote(_ecc)),
        new(Verifier, "certify-rsa", "CertifyVerifier.Verify, RSA-2048 AK, P-256 key", () => VerifyCertify(_rsa)),
        new(Verifier, "certify-ecc", "CertifyVerifier.Verify, ECC P-256 AK, P-256 key", () => VerifyCertify(_ecc)),
        new(Verifier, "ekcert-rsa", "EkCertificateValidator.Validate, RSA EK cert (RSA CA)", () => ValidateEkCertificate(_rsa)),
        new(Verifier, "ekcert-ecc", "EkCertificateValidator.Validate, ECC EK cert (P-256 CA)", () => ValidateEkCertificate(_ecc)),
        new(Verifier, "ekcert-other-roots", "EkCertificateValidator.Validate, ECC EK cert, other root", RefuseUnderOtherRoots),
        new(Verifier, "enrol-rsa", "full enrolment, RSA EK + RSA AK", () => Enrol(_rsa)),
        new(Verifier, "enrol-ecc", "full enrolment, ECC EK + ECC AK", () => Enrol(_ecc)),
        new(Verifier, "eventlog-max", "event log at every limit (4 banks, just under 1 MiB): parse + replay", () => EventLogReplay.Replay(EventLogParser.Parse(_largestEventLog))),

        new(Service, "csr", "CertificateSigningRequestValidator.Validate, P-256 key", () => CheckCsr(_ecc)),
        new(Service, "issue", "DeviceCertificateIssuer.Issue, P-256 key", () => Issue(_ecc)),
        new(Service, "enrol-service-ecc", "full enrolment + CSR + certificate, ECC EK + ECC AK", () => EnrolAndIssue(_ecc)),

        new(Primitives, "rsa-verify", "RSA-2048 PKCS#1 v1.5 SHA-256 verify (.NET)", RsaVerify),
        new(Primitives, "ecdsa-verify", "ECDSA P-256 SHA-256 verify (.NET)", EcdsaVerify),
        new(Primitives, "ecdsa-sign", "ECDSA P-256 SHA-256 sign (.NET)", () => ((System.Security.Cryptography.ECDsa)_ecc.AkKey).SignData(_ecc.QuoteAttest, HashAlgorithmName.SHA256)),
        new(Primitives, "oaep", "RSA-2048 OAEP-SHA256 encrypt, label (BouncyCastle)", OaepEncrypt),
        new(Primitives, "bc-key-mr", "BC RsaKeyParameters, default (Miller-Rabin)", () => _ = new RsaKeyParameters(false, _ekModulus, _ekExponent)),
        new(Primitives, "bc-key-ours", "BC RsaKeyParameters, as CredentialMaker (MaxMRTests=0)", () => BouncyCastleKeyAsCredentialMakerBuildsIt()),
        new(Primitives, "ecdh", "ECDH P-256 ephemeral key gen + derive (.NET)", EphemeralEcdh),
        new(Primitives, "sha256", "SHA-256 of 1 KiB (.NET)", () => SHA256.HashData(_kilobyte)),
        new(Primitives, "kdfa", "KDFa SHA-256, 128 bits (Kdf.KDFa)", () => Kdf.KDFa(HashAlgorithmName.SHA256, _seed, "STORAGE", _rsa.AkName, [], 128)),

        new(Breakdown, "rsa-import", "TpmPublicKeys.ToRsa (the import), 2048 public", () => TpmPublicKeys.ToRsa(_rsa.Ak.Value).Dispose()),
        new(Breakdown, "rsa-import-verify", "RSA import + verify (what TpmSignatures does)", () => TpmSignatures.Verify(_rsa.Ak.Value, _rsa.QuoteAttest, _rsa.QuoteSignature)),
        new(Breakdown, "ecdsa-import", "TpmPublicKeys.ToEcdsa (the import), P-256 public", () => TpmPublicKeys.ToEcdsa(_ecc.Ak.Value).Dispose()),
        new(Breakdown, "ecdsa-import-verify", "ECDsa import + verify (what TpmSignatures does)", () => TpmSignatures.Verify(_ecc.Ak.Value, _ecc.QuoteAttest, _ecc.QuoteSignature)),
        new(Breakdown, "attest-parse", "TPMS_ATTEST parse (quote)", () => TpmMarshal.FromBytes<TpmsAttest>(_rsa.QuoteAttest)),
        new(Breakdown, "cert-load", "X509CertificateLoader.LoadCertificate, RSA EK cert", () => X509CertificateLoader.LoadCertificate(_rsa.EkCertificate).Dispose()),
        new(Breakdown, "cert-key", "GetRSAPublicKey + ExportParameters, RSA EK cert (loaded)", ReadCertificateKey),
        new(Breakdown, "chain-rsa", "X509Chain.Build, RSA EK cert + intermediate (3 loads incl.)", () => BuildChain(_rsa, _rsaCa)),
        new(Breakdown, "chain-ecc", "X509Chain.Build, ECC EK cert + intermediate (3 loads incl.)", () => BuildChain(_ecc, _eccCa)),
        new(Breakdown, "numerics-modpow", "System.Numerics ModPow, 2048-bit, e = 65537", () => System.Numerics.BigInteger.ModPow(_numericsMessage, 65537, _numericsModulus)),
        new(Breakdown, "bc-modpow", "BouncyCastle ModPow, 2048-bit, e = 65537", () => _bcMessage.ModPow(_ekExponent, _ekModulus)),
        new(Breakdown, "dotnet-oaep", ".NET RSA OAEP-SHA256 encrypt, no label (unusable)", () => _rsaEkPublic.Encrypt(_seed, RSAEncryptionPadding.OaepSHA256)),
        new(Breakdown, "ecdh-import", "ECDiffieHellman.Create(ECParameters), P-256 public", () => ECDiffieHellman.Create(TpmPublicKeys.EcParameters(_ecc.Ek)).Dispose()),

        new(State, "state-year-whole", "device state, a year of hourly renewals, all kept: encode", () => _states.Value.Encode(_states.Value.Whole)),
        new(State, "state-year-whole-decode", "the same, all kept: decode (an activation)", () => _states.Value.Decode(_states.Value.WholeBytes)),
        new(State, "state-year-archived", "the same, expired ones archived: encode", () => _states.Value.Encode(_states.Value.Archived)),
        new(State, "state-year-archived-decode", "the same, expired ones archived: decode", () => _states.Value.Decode(_states.Value.ArchivedBytes)),
    ];

    /// <summary>The largest log the parser's default limits admit: every bank, the most events, just under 1 MiB.</summary>
    private static byte[] LargestEventLog()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512]);
        for (var i = 1; i < EventLogLimits.Default.MaxEvents; i++) writer.AddMeasurement(i % 24, TcgEventType.Ipl, BitConverter.GetBytes(i), new byte[60]);
        return writer.ToArray();
    }

    private void ReadCertificateKey()
    {
        using var rsa = _rsaEkCertificate.GetRSAPublicKey()!;
        rsa.ExportParameters(false);
    }

    private void BuildChain(SoftwareDevice device, ManufacturerCa ca)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(device.EkCertificate);
        using var intermediate = X509CertificateLoader.LoadCertificate(device.EkIntermediates[0]);
        using var root = X509CertificateLoader.LoadCertificate(ca.RootDer);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(leaf)) throw new InvalidOperationException("chain does not build");
    }

    /// <summary>
    /// The primitives each full enrolment is made of. MakeCredential: BouncyCastle key + OAEP (RSA) or ephemeral
    /// ECDH (ECC), then KDFa twice (STORAGE, INTEGRITY; the HMAC and AES over 34 octets are small beside them).
    /// Quote and certify: one AK signature each. EK certificate: two chain signatures (leaf by the intermediate,
    /// intermediate by the root; a trust anchor's own signature is not checked). One SHA-256 of 1 KiB stands for
    /// the Names and the PCR digest.
    /// </summary>
    internal static IReadOnlyList<Floor> Floors =>
    [
        new("enrol-rsa", [("bc-key-ours", 1), ("oaep", 1), ("kdfa", 2), ("rsa-verify", 4), ("sha256", 1)]),
        new("enrol-ecc", [("ecdh", 1), ("kdfa", 2), ("ecdsa-verify", 4), ("sha256", 1)]),
    ];

    /// <summary>The encoded sizes of the state cases' two states, once a state case has run.</summary>
    public string? StateSizes => _states.IsValueCreated
        ? $"device state sizes: all kept {_states.Value.WholeBytes.Length:N0} B, expired ones archived {_states.Value.ArchivedBytes.Length:N0} B " +
          $"({DeviceStateSizes.Issuances:N0} certificates)"
        : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        _issuingCa.Dispose();
        _keyRing.Dispose();
        _validator.Dispose();
        _rsa.Dispose();
        _ecc.Dispose();
        _rsaCa.Dispose();
        _eccCa.Dispose();
        _otherRootsValidator.Dispose();
        _random.Dispose();
        _rsaAkPublic.Dispose();
        _eccAkPublic.Dispose();
        _eccEkPublic.Dispose();
        _rsaEkPublic.Dispose();
        _rsaEkCertificate.Dispose();
    }

    private void CheckActivation()
    {
        // The device returns the secret it recovered; the comparison is all the verifier does with it.
        var made = _madeForActivation ??= CredentialMaker.Make(_ecc.Ek, _ecc.AkName, _random);
        CredentialMaker.CheckActivation(made, made.Secret.AsSpan());
    }

    private static void VerifyQuote(SoftwareDevice device) =>
        QuoteVerifier.Verify(device.Ak.Value, device.QuoteAttest, device.QuoteSignature, device.Nonce, device.Selection, device.PcrValues);

    private static void VerifyCertify(SoftwareDevice device) =>
        CertifyVerifier.Verify(device.Ak.Value, device.CertifyAttest, device.CertifySignature, device.Nonce, device.DeviceKey);

    private EkCertificateValidationResult ValidateEkCertificate(SoftwareDevice device)
    {
        var result = _validator.Validate(device.EkCertificate, device.EkIntermediates);
        return result.IsValid ? result : throw new InvalidOperationException($"{result.Failure}: {result.Detail}");
    }

    /// <summary>What one enrolment group trusting another vendor's root costs the resolver: the refusal as untrusted.</summary>
    private void RefuseUnderOtherRoots()
    {
        var result = _otherRootsValidator.Validate(_ecc.EkCertificate, _ecc.EkIntermediates);
        if (result.Failure != EkCertificateFailure.UntrustedRoot)
            throw new InvalidOperationException($"expected UntrustedRoot, got {result.Failure}: {result.Detail}");
    }

    /// <summary>Everything the verifier computes for one device: register, challenge, attest.</summary>
    private void Enrol(SoftwareDevice device)
    {
        var certificate = ValidateEkCertificate(device).Certificate!;
        EkBinding.CheckMatches(device.Ek, certificate.PublicKey);
        KeyRequirements.Default.CheckAttestationKey(device.Ak.Value);
        var made = CredentialMaker.Make(device.Ek, device.AkName, _random);
        CredentialMaker.CheckActivation(made, made.Secret);
        // as the device grain's attest step: the AK imported once for the quote and the certify
        using var ak = new TpmVerificationKey(device.Ak.Value);
        QuoteVerifier.Verify(ak, device.QuoteAttest, device.QuoteSignature, device.Nonce, device.Selection, device.PcrValues);
        CertifyVerifier.Verify(ak, device.CertifyAttest, device.CertifySignature, device.Nonce, device.DeviceKey);
    }

    private static void CheckCsr(SoftwareDevice device)
    {
        // as the device grain: the key it expects derived from the certified TPM public area, and imported once
        var spki = TpmPublicKeys.SubjectPublicKeyInfo(device.DeviceKey.Value);
        using var imported = TpmPublicKeys.ToEcdsa(device.DeviceKey.Value);
        var result = CertificateSigningRequestValidator.Validate(device.Csr, spki, imported);
        if (!result.IsValid) throw new InvalidOperationException($"the benchmark's own CSR fails: {result.Failure} {result.Detail}");
    }

    private IssuedCertificate Issue(SoftwareDevice device) => _issuer.Issue(_issuingCa, new DeviceCertificateRequest
    {
        SubjectPublicKeyInfo = device.DeviceKeySpki,
        DeviceId = Convert.ToHexStringLower(SHA256.HashData(TpmMarshal.ToBytes(device.Ek))),
        TenantId = "benchmark",
        HardwareModule = HardwareModuleName.ForTpm20(SHA256.HashData(TpmMarshal.ToBytes(device.Ek))),
        CrlDistributionPoint = new Uri("http://127.0.0.1/crl/benchmark.crl"),
    });

    /// <summary>Everything the service computes for one enrolment: the verifier's part, the CSR, the certificate.</summary>
    private void EnrolAndIssue(SoftwareDevice device)
    {
        Enrol(device);
        CheckCsr(device);
        Issue(device);
    }

    private void RsaVerify()
    {
        var signature = ((TpmsSignatureRsa)_rsa.QuoteSignature).Signature;
        if (!_rsaAkPublic.VerifyData(_rsa.QuoteAttest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            throw new InvalidOperationException("RSA signature does not verify");
    }

    private void EcdsaVerify()
    {
        var signature = (TpmsSignatureEcc)_ecc.QuoteSignature;
        Span<byte> rs = stackalloc byte[64];
        signature.R.CopyTo(rs);
        signature.S.CopyTo(rs[32..]);
        if (!_eccAkPublic.VerifyData(_ecc.QuoteAttest, rs, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            throw new InvalidOperationException("ECDSA signature does not verify");
    }

    private void OaepEncrypt()
    {
        var oaep = new OaepEncoding(new RsaEngine(), new Sha256Digest(), new Sha256Digest(), IdentityLabel);
        oaep.Init(true, new ParametersWithRandom(_ekBouncyCastleKey, _bouncyCastleRandom));
        oaep.ProcessBlock(_seed, 0, _seed.Length);
    }

    /// <summary>What RsaSeedEncryption.CreatePublicKey does: no Miller–Rabin rounds, on this thread only.</summary>
    private RsaKeyParameters BouncyCastleKeyAsCredentialMakerBuildsIt() =>
        Properties.WithThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests", "0", (_ekModulus, _ekExponent),
            static key => new RsaKeyParameters(false, key._ekModulus, key._ekExponent));

    private void EphemeralEcdh()
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ephemeral.DeriveRawSecretAgreement(_eccEkPublic);
    }
}
