using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// The TPM 2.0 key derivation functions: KDFa (TPM 2.0 Library Part 1, §11.4.10.2; SP800-108 counter mode with
/// HMAC) and KDFe (Part 1, §11.4.10.3; the SP800-56A concatenation KDF).
/// </summary>
/// <remarks>
/// Both follow the reference implementation exactly, because their output is compared byte for byte with a TPM:
/// the label is hashed with its terminating zero octet (a label already ending in <c>'\0'</c> gets no second
/// one); the counter <c>i</c> starts at 1 and, like the KDFa length <c>[L]</c>, is a big-endian UINT32; the output
/// is the first <c>⌈bits/8⌉</c> octets of <c>K(1) || K(2) || …</c>, and when <c>bits</c> is not a multiple of 8 the
/// leading excess bits of the first octet are cleared.
/// </remarks>
public static class Kdf
{
    /// <summary>The largest digest any supported hash produces (SHA-512).</summary>
    private const int MaxDigestBytes = 64;

    /// <summary>Labels longer than this are hashed from a heap buffer; the TPM's labels are all short.</summary>
    private const int StackLabelBytes = 128;

    /// <summary>
    /// KDFa — Part 1, §11.4.10.2: <c>K(i) = HMAC(key, [i]₃₂ || label || 0x00 || contextU || contextV || [bits]₃₂)</c>.
    /// </summary>
    /// <param name="hash">The HMAC hash (SHA-1, SHA-256, SHA-384 or SHA-512).</param>
    /// <param name="key">The HMAC key (for credential protection, the seed).</param>
    /// <param name="label">An ASCII label such as <c>"STORAGE"</c>; its terminating zero octet is added.</param>
    /// <param name="contextU">Context U (may be empty).</param>
    /// <param name="contextV">Context V (may be empty).</param>
    /// <param name="bits">How many bits to derive; at least 1.</param>
    /// <returns><c>⌈bits/8⌉</c> octets.</returns>
    public static byte[] KDFa(HashAlgorithmName hash, ReadOnlySpan<byte> key, string label,
        ReadOnlySpan<byte> contextU, ReadOnlySpan<byte> contextV, int bits)
    {
        var output = new byte[OutputBytes(bits)];
        KDFa(hash, key, label, contextU, contextV, bits, output);
        return output;
    }

    /// <summary>KDFa into a caller-supplied buffer, for callers that keep derived keys on the stack.</summary>
    /// <param name="hash">The HMAC hash (SHA-1, SHA-256, SHA-384 or SHA-512).</param>
    /// <param name="key">The HMAC key.</param>
    /// <param name="label">An ASCII label; its terminating zero octet is added.</param>
    /// <param name="contextU">Context U (may be empty).</param>
    /// <param name="contextV">Context V (may be empty).</param>
    /// <param name="bits">How many bits to derive; at least 1.</param>
    /// <param name="destination">Exactly <c>⌈bits/8⌉</c> octets.</param>
    public static void KDFa(HashAlgorithmName hash, ReadOnlySpan<byte> key, string label,
        ReadOnlySpan<byte> contextU, ReadOnlySpan<byte> contextV, int bits, Span<byte> destination)
    {
        CheckDestination(bits, destination);
        int digestBytes = HashAlgorithms.DigestSize(hash);
        Span<byte> labelBuffer = label.Length < StackLabelBytes ? stackalloc byte[StackLabelBytes] : new byte[label.Length + 1];
        ReadOnlySpan<byte> terminatedLabel = TerminatedLabel(label, labelBuffer);
        Span<byte> counter = stackalloc byte[4];
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bits);
        Span<byte> block = stackalloc byte[MaxDigestBytes];

        using var hmac = IncrementalHash.CreateHMAC(hash, key);
        for (uint i = 1, written = 0; written < destination.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counter, i);
            hmac.AppendData(counter);
            hmac.AppendData(terminatedLabel);
            hmac.AppendData(contextU);
            hmac.AppendData(contextV);
            hmac.AppendData(length);
            hmac.GetHashAndReset(block);
            written += CopyBlock(block[..digestBytes], destination[(int)written..]);
        }
        CryptographicOperations.ZeroMemory(block);
        MaskLeadingBits(bits, destination);
    }

    /// <summary>
    /// KDFe — Part 1, §11.4.10.3: <c>K(i) = H([i]₃₂ || z || label || 0x00 || partyUInfo || partyVInfo)</c>.
    /// </summary>
    /// <param name="hash">The hash (SHA-1, SHA-256, SHA-384 or SHA-512).</param>
    /// <param name="z">The shared secret: the x-coordinate of the ECDH point, at the curve's full size.</param>
    /// <param name="label">An ASCII label such as <c>"IDENTITY"</c>; its terminating zero octet is added.</param>
    /// <param name="partyUInfo">Party U's information (for credential protection, the ephemeral key's x).</param>
    /// <param name="partyVInfo">Party V's information (for credential protection, the EK's x).</param>
    /// <param name="bits">How many bits to derive; at least 1.</param>
    /// <returns><c>⌈bits/8⌉</c> octets.</returns>
    public static byte[] KDFe(HashAlgorithmName hash, ReadOnlySpan<byte> z, string label,
        ReadOnlySpan<byte> partyUInfo, ReadOnlySpan<byte> partyVInfo, int bits)
    {
        var output = new byte[OutputBytes(bits)];
        KDFe(hash, z, label, partyUInfo, partyVInfo, bits, output);
        return output;
    }

    /// <summary>KDFe into a caller-supplied buffer.</summary>
    /// <param name="hash">The hash (SHA-1, SHA-256, SHA-384 or SHA-512).</param>
    /// <param name="z">The shared secret.</param>
    /// <param name="label">An ASCII label; its terminating zero octet is added.</param>
    /// <param name="partyUInfo">Party U's information.</param>
    /// <param name="partyVInfo">Party V's information.</param>
    /// <param name="bits">How many bits to derive; at least 1.</param>
    /// <param name="destination">Exactly <c>⌈bits/8⌉</c> octets.</param>
    public static void KDFe(HashAlgorithmName hash, ReadOnlySpan<byte> z, string label,
        ReadOnlySpan<byte> partyUInfo, ReadOnlySpan<byte> partyVInfo, int bits, Span<byte> destination)
    {
        CheckDestination(bits, destination);
        int digestBytes = HashAlgorithms.DigestSize(hash);
        Span<byte> labelBuffer = label.Length < StackLabelBytes ? stackalloc byte[StackLabelBytes] : new byte[label.Length + 1];
        ReadOnlySpan<byte> terminatedLabel = TerminatedLabel(label, labelBuffer);
        Span<byte> counter = stackalloc byte[4];
        Span<byte> block = stackalloc byte[MaxDigestBytes];

        using var digest = IncrementalHash.CreateHash(hash);
        for (uint i = 1, written = 0; written < destination.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counter, i);
            digest.AppendData(counter);
            digest.AppendData(z);
            digest.AppendData(terminatedLabel);
            digest.AppendData(partyUInfo);
            digest.AppendData(partyVInfo);
            digest.GetHashAndReset(block);
            written += CopyBlock(block[..digestBytes], destination[(int)written..]);
        }
        CryptographicOperations.ZeroMemory(block);
        MaskLeadingBits(bits, destination);
    }

    private static int OutputBytes(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        return (int)(((long)bits + 7) / 8);
    }

    private static void CheckDestination(int bits, Span<byte> destination)
    {
        if (destination.Length != OutputBytes(bits))
            throw new ArgumentException($"The destination must be exactly {OutputBytes(bits)} octets for {bits} bits.", nameof(destination));
    }

    /// <summary>The label's ASCII octets followed by one zero octet, written into <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<byte> TerminatedLabel(string label, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(label);
        ReadOnlySpan<char> text = label.EndsWith('\0') ? label.AsSpan(0, label.Length - 1) : label.AsSpan();
        if (text.Contains('\0') || !Ascii.IsValid(text))
            throw new ArgumentException("A KDF label is ASCII text without embedded zero octets.", nameof(label));
        int length = Encoding.ASCII.GetBytes(text, buffer);
        buffer[length] = 0;
        return buffer[..(length + 1)];
    }

    private static uint CopyBlock(ReadOnlySpan<byte> block, Span<byte> remaining)
    {
        int count = Math.Min(block.Length, remaining.Length);
        block[..count].CopyTo(remaining);
        return (uint)count;
    }

    private static void MaskLeadingBits(int bits, Span<byte> output)
    {
        if (bits % 8 != 0)
            output[0] &= (byte)((1 << (bits % 8)) - 1);
    }
}
