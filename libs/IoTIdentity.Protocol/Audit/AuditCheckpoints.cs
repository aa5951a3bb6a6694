using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IoTIdentity.Protocol.Audit;

/// <summary>What an audit checkpoint's signature covers, and how it is made and checked.</summary>
/// <remarks>
/// The signed bytes are the 31 ASCII bytes <c>iotidentity-audit-checkpoint-v1</c>, then the tenant id as <i>str</i>
/// (<see cref="AuditHash"/>'s encoding), the size as unsigned 64-bit big-endian, the head hash as 32 raw bytes, the
/// time as signed 64-bit big-endian UTC ticks, and the key id as <i>str</i>. The signature is ECDSA P-256 over their
/// SHA-256, DER-encoded (<c>openssl dgst -sha256 -verify</c> accepts it).
/// </remarks>
public static class AuditCheckpoints
{
    private static ReadOnlySpan<byte> DomainTag => "iotidentity-audit-checkpoint-v1"u8;

    /// <summary>The bytes a checkpoint's signature covers.</summary>
    /// <exception cref="ArgumentException">The head is not 64 hex digits or the size is negative.</exception>
    public static byte[] SignedBytes(string tenantId, long size, string headHash, DateTimeOffset at, string keyId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (!AuditHash.IsHash(headHash)) throw new ArgumentException("The head hash must be 64 hex digits.", nameof(headHash));
        using var stream = new MemoryStream();
        stream.Write(DomainTag);
        Span<byte> number = stackalloc byte[8];
        WriteString(stream, tenantId);
        BinaryPrimitives.WriteUInt64BigEndian(number, (ulong)size);
        stream.Write(number);
        stream.Write(Convert.FromHexString(headHash));
        BinaryPrimitives.WriteInt64BigEndian(number, at.UtcTicks);
        stream.Write(number);
        WriteString(stream, keyId);
        return stream.ToArray();
    }

    /// <summary>Signs a checkpoint of <paramref name="tenantId"/>'s log with <paramref name="key"/>.</summary>
    public static AuditCheckpoint Sign(ECDsa key, string keyId, string tenantId, long size, string headHash, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(key);
        var head = headHash.ToLowerInvariant();
        var signature = key.SignData(SignedBytes(tenantId, size, head, at, keyId), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new AuditCheckpoint(tenantId, size, head, at.ToUniversalTime(), keyId, Convert.ToBase64String(signature));
    }

    /// <summary>Whether <paramref name="checkpoint"/>'s signature verifies with <paramref name="publicKey"/>.</summary>
    public static bool HasValidSignature(AuditCheckpoint checkpoint, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (checkpoint.Size < 0 || !AuditHash.IsHash(checkpoint.HeadHash)) return false;
        var signature = new byte[checkpoint.Signature.Length];
        if (!Convert.TryFromBase64String(checkpoint.Signature, signature, out var length)) return false;
        return publicKey.VerifyData(SignedBytes(checkpoint.TenantId, checkpoint.Size, checkpoint.HeadHash, checkpoint.At, checkpoint.KeyId),
            signature.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>The published form of a checkpoint key's public half.</summary>
    public static AuditCheckpointKey Describe(string keyId, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var spki = key.ExportSubjectPublicKeyInfo();
        return new AuditCheckpointKey(keyId, PemEncoding.WriteString("PUBLIC KEY", spki), Convert.ToHexStringLower(SHA256.HashData(spki)));
    }

    private static void WriteString(MemoryStream stream, string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }
}
