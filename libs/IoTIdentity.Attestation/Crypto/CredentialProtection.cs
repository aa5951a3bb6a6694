using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// Credential protection at the byte level — TPM 2.0 Library Part 1, §24 (the outer wrapper of
/// TPM2_MakeCredential / TPM2_ActivateCredential), with the seed supplied by the caller
/// (see <see cref="RsaSeedEncryption"/> and <see cref="EccSeedEncryption"/>).
/// </summary>
/// <remarks>
/// Wrapping, in order (Part 1, §24.4–§24.5):
/// <list type="number">
/// <item><c>symKey = KDFa(nameAlg, seed, "STORAGE", name, {}, symmetricKeyBits)</c></item>
/// <item><c>encIdentity = AES-CFB(symKey, IV = 0, TPM2B_DIGEST(credential))</c> — CFB with full-block (128-bit)
/// feedback, applied as a stream cipher so the output is exactly as long as the input</item>
/// <item><c>hmacKey = KDFa(nameAlg, seed, "INTEGRITY", {}, {}, digestSize × 8)</c></item>
/// <item><c>outerHMAC = HMAC(nameAlg, hmacKey, encIdentity || name)</c></item>
/// <item><c>TPM2B_ID_OBJECT = UINT16 size || TPM2B_DIGEST(outerHMAC) || encIdentity</c></item>
/// </list>
/// The name is the marshalled TPM2B_NAME content of the object being certified (nameAlg || digest), and
/// <c>nameAlg</c> is the name algorithm of the key that protects the seed (the EK). Only AES is supported, which is
/// what every EK template uses.
/// </remarks>
public static class CredentialProtection
{
    private const int AesBlockBytes = 16;

    /// <summary>Wraps <paramref name="credential"/> into the marshalled TPM2B_ID_OBJECT.</summary>
    /// <param name="nameAlg">The name algorithm of the protecting key (the EK).</param>
    /// <param name="symmetricKeyBits">The protecting key's AES key size: 128 for the default EK templates, 256 for the high-range ones.</param>
    /// <param name="seed">The seed shared with the protecting key.</param>
    /// <param name="objectName">The TPM2B_NAME content of the object the credential is bound to (e.g. the AK).</param>
    /// <param name="credential">The secret; at most the digest size of <paramref name="nameAlg"/>, as TPM2_MakeCredential requires.</param>
    /// <returns>UINT16 size || TPM2B_DIGEST outerHMAC || encIdentity.</returns>
    public static byte[] Wrap(HashAlgorithmName nameAlg, int symmetricKeyBits, ReadOnlySpan<byte> seed,
        ReadOnlySpan<byte> objectName, ReadOnlySpan<byte> credential)
    {
        int digestBytes = HashAlgorithms.DigestSize(nameAlg);
        CheckAesKeyBits(symmetricKeyBits);
        if (credential.Length > digestBytes)
            throw new ArgumentException($"A credential is at most {digestBytes} octets for {nameAlg.Name}.", nameof(credential));

        Span<byte> plain = stackalloc byte[2 + digestBytes];
        plain = plain[..(2 + credential.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(plain, (ushort)credential.Length);
        credential.CopyTo(plain[2..]);
        Span<byte> encIdentity = stackalloc byte[plain.Length];
        Span<byte> symKey = stackalloc byte[symmetricKeyBits / 8];
        Span<byte> outerHmac = stackalloc byte[digestBytes];
        try
        {
            Kdf.KDFa(nameAlg, seed, "STORAGE", objectName, [], symmetricKeyBits, symKey);
            AesCfb(symKey, plain, encIdentity, encrypt: true);
            ComputeOuterHmac(nameAlg, seed, encIdentity, objectName, outerHmac);

            var idObject = new byte[2 + 2 + digestBytes + encIdentity.Length];
            BinaryPrimitives.WriteUInt16BigEndian(idObject, (ushort)(idObject.Length - 2));
            BinaryPrimitives.WriteUInt16BigEndian(idObject.AsSpan(2), (ushort)digestBytes);
            outerHmac.CopyTo(idObject.AsSpan(4));
            encIdentity.CopyTo(idObject.AsSpan(4 + digestBytes));
            return idObject;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(symKey);
        }
    }

    /// <summary>
    /// The inverse of <see cref="Wrap"/>, as TPM2_ActivateCredential computes it: checks the outer HMAC (in constant
    /// time) before decrypting, then returns the credential.
    /// </summary>
    /// <param name="nameAlg">The name algorithm of the protecting key.</param>
    /// <param name="symmetricKeyBits">The protecting key's AES key size.</param>
    /// <param name="seed">The seed shared with the protecting key.</param>
    /// <param name="objectName">The TPM2B_NAME content the credential was bound to.</param>
    /// <param name="idObject">The marshalled TPM2B_ID_OBJECT (with its UINT16 size).</param>
    /// <returns>The credential, or <c>null</c> when the blob is malformed, bound to another name or seed, or altered.</returns>
    public static byte[]? Unwrap(HashAlgorithmName nameAlg, int symmetricKeyBits, ReadOnlySpan<byte> seed,
        ReadOnlySpan<byte> objectName, ReadOnlySpan<byte> idObject)
    {
        int digestBytes = HashAlgorithms.DigestSize(nameAlg);
        CheckAesKeyBits(symmetricKeyBits);
        if (!TrySplit(idObject, out ReadOnlySpan<byte> receivedHmac, out ReadOnlySpan<byte> encIdentity)
            || receivedHmac.Length != digestBytes || encIdentity.Length < 2 || encIdentity.Length > 2 + digestBytes)
            return null;

        Span<byte> expectedHmac = stackalloc byte[digestBytes];
        ComputeOuterHmac(nameAlg, seed, encIdentity, objectName, expectedHmac);
        if (!CryptographicOperations.FixedTimeEquals(expectedHmac, receivedHmac))
            return null;

        Span<byte> symKey = stackalloc byte[symmetricKeyBits / 8];
        Span<byte> plain = stackalloc byte[encIdentity.Length];
        try
        {
            Kdf.KDFa(nameAlg, seed, "STORAGE", objectName, [], symmetricKeyBits, symKey);
            AesCfb(symKey, encIdentity, plain, encrypt: false);
            int size = BinaryPrimitives.ReadUInt16BigEndian(plain);
            return size == plain.Length - 2 ? plain[2..].ToArray() : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(symKey);
        }
    }

    /// <summary>Splits a TPM2B_ID_OBJECT into its outer HMAC and encIdentity without over-reading.</summary>
    private static bool TrySplit(ReadOnlySpan<byte> idObject, out ReadOnlySpan<byte> hmac, out ReadOnlySpan<byte> encIdentity)
    {
        hmac = encIdentity = default;
        if (idObject.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(idObject) != idObject.Length - 2)
            return false;
        ReadOnlySpan<byte> body = idObject[2..];
        int hmacSize = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (hmacSize > body.Length - 2)
            return false;
        hmac = body.Slice(2, hmacSize);
        encIdentity = body[(2 + hmacSize)..];
        return true;
    }

    private static void ComputeOuterHmac(HashAlgorithmName nameAlg, ReadOnlySpan<byte> seed,
        ReadOnlySpan<byte> encIdentity, ReadOnlySpan<byte> objectName, Span<byte> destination)
    {
        Span<byte> hmacKey = stackalloc byte[destination.Length];
        Kdf.KDFa(nameAlg, seed, "INTEGRITY", [], [], destination.Length * 8, hmacKey);
        using (var hmac = IncrementalHash.CreateHMAC(nameAlg, hmacKey))
        {
            hmac.AppendData(encIdentity);
            hmac.AppendData(objectName);
            hmac.GetHashAndReset(destination);
        }
        CryptographicOperations.ZeroMemory(hmacKey);
    }

    /// <summary>
    /// AES-CFB128 with a zero IV, as a stream cipher. .NET's one-shot CFB needs whole blocks, and CFB's output for a
    /// prefix does not depend on what follows, so the input is zero-padded to a block multiple and the output cut back.
    /// </summary>
    private static void AesCfb(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output, bool encrypt)
    {
        int padded = (input.Length + AesBlockBytes - 1) / AesBlockBytes * AesBlockBytes;
        Span<byte> source = stackalloc byte[padded];
        Span<byte> result = stackalloc byte[padded];
        source.Clear();
        input.CopyTo(source);
        ReadOnlySpan<byte> iv = stackalloc byte[AesBlockBytes];
        using (var aes = Aes.Create())
        {
            aes.SetKey(key);
            if (encrypt)
                aes.EncryptCfb(source, iv, result, PaddingMode.None, feedbackSizeInBits: 128);
            else
                aes.DecryptCfb(source, iv, result, PaddingMode.None, feedbackSizeInBits: 128);
        }
        result[..input.Length].CopyTo(output);
        CryptographicOperations.ZeroMemory(source);
        CryptographicOperations.ZeroMemory(result);
    }

    private static void CheckAesKeyBits(int bits)
    {
        if (bits is not (128 or 192 or 256))
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "AES keys are 128, 192 or 256 bits.");
    }
}
