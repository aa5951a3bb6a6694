using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Protocol.Ownership;

/// <summary>
/// The bytes an ownership entry's signature covers and the hash that links the next entry to it; built identically
/// by the service that signs and by anyone who verifies.
/// </summary>
public static class OwnershipEntries
{
    /// <summary>The domain-separation label that starts every signed entry.</summary>
    public const string Domain = "iotid-ownership-v1";

    /// <summary>
    /// <c>"iotid-ownership-v1" || u64 sequence || field(previous hash) || field(deviceId) || field(owner) ||
    /// field(next owner, empty if none) || i64 unix milliseconds of At || field(signer)</c>, where <c>field(x)</c> is a
    /// big-endian u32 length followed by the bytes (UTF-8 for text), so no two different entries share their bytes.
    /// </summary>
    public static byte[] SignedBytes(OwnershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.ASCII.GetBytes(Domain));
        WriteInt64(buffer, entry.Sequence);
        WriteField(buffer, Base64Url.DecodeFromChars(entry.PreviousEntryHash));
        WriteField(buffer, Encoding.UTF8.GetBytes(entry.DeviceId));
        WriteField(buffer, Encoding.UTF8.GetBytes(entry.OwnerTenantId));
        WriteField(buffer, Encoding.UTF8.GetBytes(entry.NextOwnerTenantId ?? ""));
        WriteInt64(buffer, entry.At.ToUnixTimeMilliseconds());
        WriteField(buffer, Encoding.UTF8.GetBytes(entry.SignerTenantId));
        return buffer.ToArray();
    }

    /// <summary>SHA-256 over the signed bytes and then the signature: what the next entry's previous hash must be.</summary>
    public static byte[] Hash(OwnershipEntry entry)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(SignedBytes(entry));
        hash.AppendData(Base64Url.DecodeFromChars(entry.Signature));
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The next entry of <paramref name="chain"/>: <paramref name="owner"/> hands <paramref name="deviceId"/> to
    /// <paramref name="nextOwner"/> (null for the first entry, an enrolment), signed by <paramref name="sign"/> — the
    /// owner's ownership key over <see cref="SignedBytes"/>, returning an IEEE P1363 ECDSA P-256 signature.
    /// </summary>
    public static async Task<OwnershipEntry> AppendAsync(IReadOnlyList<OwnershipEntry> chain, string deviceId, string owner, string? nextOwner,
        DateTimeOffset at, Func<byte[], Task<byte[]>> sign)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(sign);
        var unsigned = new OwnershipEntry
        {
            Sequence = chain.Count,
            PreviousEntryHash = chain.Count == 0 ? "" : Base64Url.EncodeToString(Hash(chain[^1])),
            DeviceId = deviceId,
            OwnerTenantId = owner,
            NextOwnerTenantId = nextOwner,
            At = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()),
            SignerTenantId = owner,
            Signature = "",
        };
        return unsigned with { Signature = Base64Url.EncodeToString(await sign(SignedBytes(unsigned)).ConfigureAwait(false)) };
    }

    /// <summary>Signs entry bytes with an ownership key the way the chain expects (SHA-256, IEEE P1363).</summary>
    public static byte[] Sign(ECDsa key, byte[] signedBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.SignData(signedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static void WriteInt64(Stream buffer, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        buffer.Write(bytes);
    }

    private static void WriteField(Stream buffer, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        buffer.Write(length);
        buffer.Write(value);
    }
}
