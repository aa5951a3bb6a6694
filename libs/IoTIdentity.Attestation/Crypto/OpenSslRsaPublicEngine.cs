using System.Runtime.Versioning;
using IoTIdentity.Attestation.Keys;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// The raw RSA public operation (c = m^e mod n) for BouncyCastle's <c>OaepEncoding</c>, done by OpenSSL
/// (<c>RSA_public_encrypt</c> without padding) instead of BouncyCastle's managed <c>RsaEngine</c>: BouncyCastle's
/// 2048-bit modular exponentiation takes ≈ 270 µs, OpenSSL's ≈ 20 µs (BENCHMARKS.md, session 40). The OAEP encoding — label, hash, MGF1 and the
/// randomness the caller injects — stays BouncyCastle's, so the ciphertext is byte for byte what <c>RsaEngine</c> gives.
/// </summary>
/// <remarks>
/// Encryption with a public key only, as <see cref="RsaSeedEncryption"/> needs it. Like BouncyCastle's engine it
/// refuses a block longer than the modulus or not below it (<see cref="DataLengthException"/>); the key itself was
/// checked when its <see cref="RsaKeyParameters"/> was built, and a key OpenSSL will not use is left to BouncyCastle's
/// engine. Used when .NET runs on OpenSSL 3 (<see cref="LibCrypto.Available"/>), whose libcrypto it calls.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class OpenSslRsaPublicEngine : IAsymmetricBlockCipher
{
    private RsaKeyParameters? _key;
    private byte[] _modulus = [];
    private byte[] _exponent = [];

    public string AlgorithmName => "RSA";

    public void Init(bool forEncryption, ICipherParameters parameters)
    {
        if (parameters is ParametersWithRandom withRandom) parameters = withRandom.Parameters;
        if (!forEncryption || parameters is not RsaKeyParameters { IsPrivate: false } key)
            throw new ArgumentException("this engine encrypts with an RSA public key only", nameof(parameters));
        _key = key;
        _modulus = key.Modulus.ToByteArrayUnsigned();
        _exponent = key.Exponent.ToByteArrayUnsigned();
    }

    /// <summary>As BouncyCastle's engine: one byte less than the modulus, so every block is below it.</summary>
    public int GetInputBlockSize() => (Key.Modulus.BitLength - 1) / 8;

    public int GetOutputBlockSize() => (Key.Modulus.BitLength + 7) / 8;

    public byte[] ProcessBlock(byte[] inBuf, int inOff, int inLen)
    {
        var size = GetOutputBlockSize();
        if (inLen > size) throw new DataLengthException("input too large for RSA cipher.");
        // left-padded to the modulus length, as RSA_NO_PADDING takes it
        var block = new byte[size];
        inBuf.AsSpan(inOff, inLen).CopyTo(block.AsSpan(size - inLen));
        if (block.AsSpan().SequenceCompareTo(_modulus) >= 0) throw new DataLengthException("input too large for RSA cipher.");
        // a key OpenSSL will not use (an exponent over 64 bits beside a modulus over 3,072 bits, say) is BouncyCastle's as before
        return OpenSslRsaKeys.PublicOperation(_modulus, _exponent, block) ?? BouncyCastle(inBuf, inOff, inLen);
    }

    private byte[] BouncyCastle(byte[] inBuf, int inOff, int inLen)
    {
        var engine = new RsaEngine();
        engine.Init(true, Key);
        return engine.ProcessBlock(inBuf, inOff, inLen);
    }

    private RsaKeyParameters Key => _key ?? throw new InvalidOperationException("RSA engine not initialised");
}
