using System.Security.Cryptography;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.TestKit;

/// <summary>A TPMS_ATTEST, its marshalled bytes (what was signed) and the signature over those bytes.</summary>
/// <param name="Attest">The structure as built.</param>
/// <param name="Bytes">TpmMarshal.ToBytes(Attest): the TPM2B_ATTEST contents a device would send.</param>
/// <param name="Signature">The signature over <paramref name="Bytes"/>.</param>
public sealed record SignedAttestation(TpmsAttest Attest, byte[] Bytes, TpmtSignature Signature);

/// <summary>
/// A "fake TPM signer": an RSA-2048 (RSASSA-SHA256) or ECDSA P-256 (ECDSA-SHA256) key held in software, with the
/// TPMT_PUBLIC a TPM would report for it, that builds and signs TPMS_ATTEST structures (quote, certify, or any body)
/// exactly as a TPM's AK would — and, because nothing is enforced, also every malformed variant a negative test
/// needs (wrong magic, another nonce, a different scheme). It also serves as a software device key: give it
/// <see cref="KeyTemplates.DeviceKeyAttributes"/> and a NULL scheme.
/// </summary>
public sealed class SoftwareAttestationKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private SoftwareAttestationKey(RSA? rsa, ECDsa? ecdsa, TpmtPublic publicArea)
    {
        _rsa = rsa;
        _ecdsa = ecdsa;
        Public = Tpm2b<TpmtPublic>.From(publicArea);
    }

    /// <summary>
    /// An RSA key shaped like <see cref="KeyTemplates.AkRsa2048"/> (RSASSA-SHA256, <see cref="KeyTemplates.AkAttributes"/>)
    /// unless overridden. <paramref name="scheme"/> null keeps RSASSA-SHA256; pass <see cref="TpmtScheme.Null"/> for a
    /// key that leaves the scheme to each signature.
    /// </summary>
    public static SoftwareAttestationKey CreateRsa(TpmaObject attributes = KeyTemplates.AkAttributes, TpmtScheme? scheme = null,
        int keyBits = 2048, TpmAlgId nameAlg = TpmAlgId.Sha256)
    {
        var rsa = RSA.Create(keyBits);
        var parameters = rsa.ExportParameters(false);
        var template = KeyTemplates.AkRsa2048;
        var parms = (TpmsRsaParms)template.Parameters;
        var publicArea = template with
        {
            NameAlg = nameAlg,
            Attributes = attributes,
            Parameters = parms with { Scheme = scheme ?? parms.Scheme, KeyBits = (ushort)keyBits, Exponent = TpmExponent(parameters.Exponent!) },
            Unique = new TpmRsaPublicId(parameters.Modulus!),
        };
        return new SoftwareAttestationKey(rsa, null, publicArea);
    }

    /// <summary>
    /// An ECC key shaped like <see cref="KeyTemplates.AkEccP256"/> (ECDSA-SHA256, <see cref="KeyTemplates.AkAttributes"/>)
    /// unless overridden. <paramref name="curve"/> may be P-256, P-384 or P-521.
    /// </summary>
    public static SoftwareAttestationKey CreateEcc(TpmaObject attributes = KeyTemplates.AkAttributes, TpmtScheme? scheme = null,
        TpmEccCurve curve = TpmEccCurve.NistP256, TpmAlgId nameAlg = TpmAlgId.Sha256)
    {
        var ecdsa = ECDsa.Create(curve switch
        {
            TpmEccCurve.NistP256 => ECCurve.NamedCurves.nistP256,
            TpmEccCurve.NistP384 => ECCurve.NamedCurves.nistP384,
            TpmEccCurve.NistP521 => ECCurve.NamedCurves.nistP521,
            _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "no software implementation"),
        });
        var q = ecdsa.ExportParameters(false).Q;
        var template = KeyTemplates.AkEccP256;
        var parms = (TpmsEccParms)template.Parameters;
        var publicArea = template with
        {
            NameAlg = nameAlg,
            Attributes = attributes,
            Parameters = parms with { Scheme = scheme ?? parms.Scheme, Curve = curve },
            Unique = new TpmEccPublicId(new TpmsEccPoint(q.X!, q.Y!)),
        };
        return new SoftwareAttestationKey(null, ecdsa, publicArea);
    }

    /// <summary>
    /// The public area of a fresh software device key: <see cref="KeyTemplates.DeviceEccP256"/> or
    /// <see cref="KeyTemplates.DeviceRsa2048"/> with a real public key and the given attributes. The private key is
    /// discarded; a certify test only needs the public area.
    /// </summary>
    public static Tpm2b<TpmtPublic> DeviceKeyPublic(TpmAlgId type = TpmAlgId.Ecc, TpmaObject attributes = KeyTemplates.DeviceKeyAttributes)
    {
        using var key = type == TpmAlgId.Rsa
            ? CreateRsa(attributes, TpmtScheme.Null)
            : CreateEcc(attributes, TpmtScheme.Null);
        return key.Public;
    }

    /// <summary>The public area, marshalled exactly once (what the Name is computed over).</summary>
    public Tpm2b<TpmtPublic> Public { get; }

    /// <summary>The parsed public area.</summary>
    public TpmtPublic PublicArea => Public.Value;

    /// <summary>The key's Name: nameAlg || H(marshalled public area).</summary>
    public byte[] Name => TpmNames.Of(Public);

    /// <summary>The signature scheme a TPM would use by default: the key's own, or RSASSA/ECDSA when the key leaves it NULL.</summary>
    public TpmAlgId DefaultScheme
    {
        get
        {
            var scheme = PublicArea.Parameters switch
            {
                TpmsRsaParms rsa => rsa.Scheme.Scheme,
                TpmsEccParms ecc => ecc.Scheme.Scheme,
                _ => TpmAlgId.Null,
            };
            return scheme != TpmAlgId.Null ? scheme : _rsa is not null ? TpmAlgId.RsaSsa : TpmAlgId.EcDsa;
        }
    }

    /// <summary>The hash a TPM would sign with by default: the key scheme's, or SHA-256 when the key leaves it NULL.</summary>
    public TpmAlgId DefaultHash
    {
        get
        {
            var hash = PublicArea.Parameters switch
            {
                TpmsRsaParms rsa => rsa.Scheme.Hash,
                TpmsEccParms ecc => ecc.Scheme.Hash,
                _ => TpmAlgId.Null,
            };
            return TpmHash.IsHash(hash) ? hash : TpmAlgId.Sha256;
        }
    }

    /// <summary>
    /// A TPMS_ATTEST with any body: qualifiedSigner is this key's Name, a fixed clock, firmware version 0x2000065.
    /// </summary>
    public TpmsAttest Attest(TpmuAttest body, ReadOnlySpan<byte> nonce, uint magic = TpmConstants.Generated) =>
        new(magic, Name, nonce.ToArray(), new TpmsClockInfo(123_456, 1, 0, true), 0x0002_0065, body);

    /// <summary>
    /// The TPMS_ATTEST of a TPM2_Quote: pcrDigest is H(values concatenated in the order given), H being
    /// <paramref name="digestHash"/> (default: the key's signing hash, as a TPM does).
    /// </summary>
    public TpmsAttest QuoteAttest(TpmlPcrSelection selection, IEnumerable<PcrValue> values, ReadOnlySpan<byte> nonce,
        uint magic = TpmConstants.Generated, TpmAlgId? digestHash = null) =>
        Attest(new TpmsQuoteInfo(selection, PcrDigest(values, digestHash ?? DefaultHash)), nonce, magic);

    /// <summary>The TPMS_ATTEST of a TPM2_Certify of the object named <paramref name="certifiedName"/>.</summary>
    public TpmsAttest CertifyAttest(ReadOnlySpan<byte> certifiedName, ReadOnlySpan<byte> nonce, uint magic = TpmConstants.Generated) =>
        Attest(new TpmsCertifyInfo(certifiedName.ToArray(), certifiedName.ToArray()), nonce, magic);

    /// <summary>H(values' digests concatenated in the order given).</summary>
    public static byte[] PcrDigest(IEnumerable<PcrValue> values, TpmAlgId hash = TpmAlgId.Sha256)
    {
        using var h = IncrementalHash.CreateHash(TpmHash.Name(hash));
        foreach (var value in values) h.AppendData(value.Digest);
        return h.GetHashAndReset();
    }

    /// <summary>Marshals <paramref name="attest"/> and signs the bytes.</summary>
    public SignedAttestation Sign(TpmsAttest attest, TpmAlgId? scheme = null, TpmAlgId? hash = null)
    {
        var bytes = TpmMarshal.ToBytes(attest);
        return new SignedAttestation(attest, bytes, Sign(bytes, scheme, hash));
    }

    /// <summary>Builds, marshals and signs a quote.</summary>
    public SignedAttestation Quote(TpmlPcrSelection selection, IEnumerable<PcrValue> values, ReadOnlySpan<byte> nonce) =>
        Sign(QuoteAttest(selection, values, nonce));

    /// <summary>Builds, marshals and signs a certify of the object named <paramref name="certifiedName"/>.</summary>
    public SignedAttestation Certify(ReadOnlySpan<byte> certifiedName, ReadOnlySpan<byte> nonce) =>
        Sign(CertifyAttest(certifiedName, nonce));

    /// <summary>
    /// Signs <paramref name="message"/> as a TPM would: RSASSA-PKCS1-v1_5 or RSAPSS for an RSA key, ECDSA (r, s as
    /// fixed-size big-endian integers) for an ECC key. Scheme and hash default to <see cref="DefaultScheme"/> and
    /// <see cref="DefaultHash"/>; any other value is used as asked, so a test can present a scheme the key does not fix.
    /// </summary>
    public TpmtSignature Sign(ReadOnlySpan<byte> message, TpmAlgId? scheme = null, TpmAlgId? hash = null)
    {
        var sigScheme = scheme ?? DefaultScheme;
        var sigHash = hash ?? DefaultHash;
        var name = TpmHash.Name(sigHash);
        if (_rsa is not null)
        {
            var padding = sigScheme switch
            {
                TpmAlgId.RsaSsa => RSASignaturePadding.Pkcs1,
                TpmAlgId.RsaPss => RSASignaturePadding.Pss,
                _ => throw new ArgumentOutOfRangeException(nameof(scheme), sigScheme, "an RSA key signs with RSASSA or RSAPSS"),
            };
            return new TpmsSignatureRsa(sigScheme, sigHash, _rsa.SignData(message, name, padding));
        }
        if (sigScheme != TpmAlgId.EcDsa) throw new ArgumentOutOfRangeException(nameof(scheme), sigScheme, "an ECC key signs with ECDSA");
        var rs = _ecdsa!.SignData(message, name, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var half = rs.Length / 2;
        return new TpmsSignatureEcc(TpmAlgId.EcDsa, sigHash, rs[..half], rs[half..]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }

    /// <summary>TPMS_RSA_PARMS.exponent: 0 for the default 65537, else the value.</summary>
    private static uint TpmExponent(byte[] exponent)
    {
        uint value = 0;
        foreach (var b in exponent) value = (value << 8) | b;
        return value == 65537 ? 0 : value;
    }
}
