using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Protocol.Audit;

/// <summary>
/// The canonical encoding of one audit entry and its SHA-256 hash (version 1). The service computes it when it
/// appends an entry; anyone holding an export recomputes it without the service.
/// </summary>
/// <remarks>
/// <para>SHA-256 over the concatenation of:</para>
/// <list type="number">
/// <item>the 20 ASCII bytes <c>iotidentity-audit-v1</c> (domain separation; a new encoding gets a new tag);</item>
/// <item>the sequence number, unsigned 64-bit big-endian;</item>
/// <item>the previous hash as 32 raw bytes (entry 1: 32 zero bytes, <see cref="GenesisHash"/>);</item>
/// <item>the tenant id, action, subject, outcome as <i>str</i>; the evidence digest, in lowercase, as
/// <i>optstr</i>; the actor as <i>str</i>;</item>
/// <item>the time as signed 64-bit big-endian UTC ticks (100 ns units since 0001-01-01T00:00:00Z; the offset the
/// caller used is not covered);</item>
/// <item>the number of details, unsigned 32-bit big-endian, then each detail sorted by key in ordinal (UTF-16 code
/// unit) order, as <i>str</i> key then <i>str</i> value. Absent and empty details both encode as count 0.</item>
/// </list>
/// <para>where <i>str</i> is the UTF-8 byte length (unsigned 32-bit big-endian) followed by the UTF-8 bytes, and
/// <i>optstr</i> is <c>FF FF FF FF</c> for null, otherwise <i>str</i>. Hashes are written as 64 lowercase hex
/// digits.</para>
/// </remarks>
public static class AuditHash
{
    /// <summary>The previous hash of entry 1: 32 zero bytes in hex.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> DomainTag => "iotidentity-audit-v1"u8;

    /// <summary>Computes an entry's hash over the canonical encoding.</summary>
    /// <param name="tenantId">The tenant whose log it is.</param>
    /// <param name="sequence">The sequence number, at least 1.</param>
    /// <param name="previousHash">The previous hash, 64 hex digits.</param>
    /// <param name="auditEvent">What the entry records.</param>
    /// <returns>The hash, 64 lowercase hex digits.</returns>
    /// <exception cref="ArgumentException">A hash is not 64 hex digits, the sequence is not positive, or a text is not
    /// well-formed Unicode.</exception>
    public static string Compute(string tenantId, long sequence, string previousHash, Management.AuditEventView auditEvent)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        if (!IsHash(previousHash)) throw new ArgumentException("The previous hash must be 64 hex digits.", nameof(previousHash));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        hash.AppendData(DomainTag);
        BinaryPrimitives.WriteUInt64BigEndian(number, (ulong)sequence);
        hash.AppendData(number);
        hash.AppendData(Convert.FromHexString(previousHash));
        AppendString(hash, tenantId);
        AppendString(hash, auditEvent.Action);
        AppendString(hash, auditEvent.Subject);
        AppendString(hash, auditEvent.Outcome);
        AppendString(hash, auditEvent.EvidenceDigest?.ToLowerInvariant());
        AppendString(hash, auditEvent.Actor);
        BinaryPrimitives.WriteInt64BigEndian(number, auditEvent.At.UtcTicks);
        hash.AppendData(number);
        var details = auditEvent.Details ?? new Dictionary<string, string>();
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)details.Count);
        hash.AppendData(number[..4]);
        foreach (var (key, value) in details.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            AppendString(hash, key);
            AppendString(hash, value);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="text"/> is a hash as this encoding writes and reads them: 64 hex digits.</summary>
    public static bool IsHash(string? text) => text is { Length: 64 } && text.All(char.IsAsciiHexDigit);

    /// <summary>Appends <i>str</i> (or <i>optstr</i> for null): the UTF-8 length, unsigned 32-bit big-endian, then the bytes.</summary>
    internal static void AppendString(IncrementalHash hash, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, uint.MaxValue);
            hash.AppendData(length);
            return;
        }

        var bytes = StrictUtf8.GetBytes(value);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
