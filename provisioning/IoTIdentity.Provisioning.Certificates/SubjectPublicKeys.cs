using System.Formats.Asn1;
using System.Security.Cryptography;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Reads a SubjectPublicKeyInfo strictly (DER, nothing trailing) and re-encodes it canonically through .NET, so two
/// encodings of one key (rsaEncryption parameters NULL or absent, say) compare equal byte for byte. Accepts what a
/// TPM can hold and this service signs for: RSA 2048–16384 bits, ECC on NIST P-256, P-384 and P-521 with an
/// uncompressed point.
/// </summary>
internal static class SubjectPublicKeys
{
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";
    private const string P521 = "1.3.132.0.35";

    /// <summary>Parses <paramref name="spki"/>; on success the caller owns <paramref name="key"/>.</summary>
    /// <returns>Null on success, else whether the key is malformed (true) or merely unsupported (false), with a reason.</returns>
    public static (bool Malformed, string Reason)? TryParse(ReadOnlySpan<byte> spki, out ParsedPublicKey? key)
    {
        key = null;
        string algorithm;
        string? curve = null;
        byte firstKeyByte;
        try
        {
            var reader = new AsnReader(spki.ToArray(), AsnEncodingRules.DER);
            var info = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var algorithmIdentifier = info.ReadSequence();
            algorithm = algorithmIdentifier.ReadObjectIdentifier();
            if (algorithm == EcPublicKey) curve = algorithmIdentifier.ReadObjectIdentifier();
            var publicKey = info.ReadBitString(out var unusedBits);
            info.ThrowIfNotEmpty();
            if (unusedBits != 0 || publicKey.Length == 0) return (true, "the public key BIT STRING is empty or not whole bytes");
            firstKeyByte = publicKey[0];
        }
        catch (AsnContentException e)
        {
            return (true, $"not a DER SubjectPublicKeyInfo: {e.Message}");
        }

        try
        {
            switch (algorithm)
            {
                case RsaEncryption:
                {
                    var rsa = RSA.Create();
                    rsa.ImportSubjectPublicKeyInfo(spki, out var read);
                    if (read != spki.Length || rsa.KeySize is < 2048 or > 16384)
                    {
                        rsa.Dispose();
                        return read != spki.Length ? (true, "trailing bytes") : (false, $"RSA-{rsa.KeySize} is outside 2048–16384 bits");
                    }
                    key = new ParsedPublicKey(rsa, rsa.ExportSubjectPublicKeyInfo());
                    return null;
                }
                case EcPublicKey when curve is P256 or P384 or P521:
                {
                    if (firstKeyByte != 0x04) return (false, "only uncompressed EC points are supported");
                    var ecdsa = ECDsa.Create();
                    ecdsa.ImportSubjectPublicKeyInfo(spki, out var read);
                    if (read != spki.Length)
                    {
                        ecdsa.Dispose();
                        return (true, "trailing bytes");
                    }
                    key = new ParsedPublicKey(ecdsa, ecdsa.ExportSubjectPublicKeyInfo());
                    return null;
                }
                case EcPublicKey:
                    return (false, $"EC curve {curve} is not P-256, P-384 or P-521");
                default:
                    return (false, $"public key algorithm {algorithm} is not RSA or EC");
            }
        }
        catch (CryptographicException e)
        {
            return (true, $"the key does not import: {e.Message}");
        }
    }
}

/// <summary>A parsed public key and its canonical SubjectPublicKeyInfo encoding.</summary>
internal sealed class ParsedPublicKey(AsymmetricAlgorithm key, byte[] canonicalSpki) : IDisposable
{
    public AsymmetricAlgorithm Key { get; } = key;

    public byte[] CanonicalSpki { get; } = canonicalSpki;

    public void Dispose() => Key.Dispose();
}
