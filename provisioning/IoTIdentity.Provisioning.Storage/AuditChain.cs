using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// The audit log's hash chain, shared by every backend so that all of them store the same hashes and verify the
/// same way: entry <c>n</c> carries the hash of entry <c>n − 1</c>, and its own hash covers that link, its sequence
/// number, its tenant and every field of its event. Altering, inserting or removing an entry in the middle of a log
/// breaks the chain at that entry.
/// </summary>
/// <remarks>
/// <para><b>Canonical encoding (version 1).</b> <see cref="ComputeHash"/> is SHA-256 over the concatenation of:</para>
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
/// <para>The chain proves integrity relative to its newest entry only: removing entries from the end, or rewriting
/// the newest entry together with its hash, is not detectable from the log alone. Anchor the newest hash elsewhere
/// (export it, sign it) when that matters.</para>
/// </remarks>
public static class AuditChain
{
    /// <summary>The previous hash of entry 1: 32 zero bytes in hex.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> DomainTag => "iotidentity-audit-v1"u8;

    /// <summary>
    /// Returns the event in the form every backend stores: <see cref="AuditEvent.At"/> converted to UTC (offset zero),
    /// the evidence digest in lowercase, details copied and sorted by key, empty details as <see langword="null"/>.
    /// The hash of the canonical form equals the hash of the original.
    /// </summary>
    /// <param name="auditEvent">The event as the caller gave it.</param>
    /// <returns>The canonical event.</returns>
    public static AuditEvent Normalize(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return auditEvent with
        {
            At = auditEvent.At.ToUniversalTime(),
            EvidenceDigest = auditEvent.EvidenceDigest?.ToLowerInvariant(),
            Details = auditEvent.Details is { Count: > 0 } details ? SortedCopy(details) : null,
        };
    }

    /// <summary>Builds entry <paramref name="sequence"/> of a tenant's chain: normalizes the event and hashes it.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="sequence">The entry's sequence number, at least 1.</param>
    /// <param name="previousHash">The hash of entry <paramref name="sequence"/> − 1, or <see cref="GenesisHash"/>.</param>
    /// <param name="auditEvent">The event.</param>
    /// <returns>The entry to store.</returns>
    public static AuditEntry CreateEntry(string tenantId, long sequence, string previousHash, AuditEvent auditEvent)
    {
        var canonical = Normalize(auditEvent);
        return new AuditEntry(tenantId, sequence, canonical, previousHash,
            ComputeHash(tenantId, sequence, previousHash, canonical));
    }

    /// <summary>Computes an entry's hash over the canonical encoding described on <see cref="AuditChain"/>.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="sequence">The sequence number, at least 1.</param>
    /// <param name="previousHash">The previous hash, 64 hex digits.</param>
    /// <param name="auditEvent">The event.</param>
    /// <returns>The hash, 64 lowercase hex digits.</returns>
    /// <exception cref="ArgumentException">A hash is not 64 hex digits, the sequence is not positive, or a text is not
    /// well-formed Unicode.</exception>
    public static string ComputeHash(string tenantId, long sequence, string previousHash, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        if (previousHash is not { Length: 64 } || !previousHash.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("The previous hash must be 64 hex digits.", nameof(previousHash));
        }

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

    /// <summary>Verifies a whole chain given in sequence order, starting at entry 1 (e.g. an exported log).</summary>
    /// <param name="tenantId">The tenant the log belongs to.</param>
    /// <param name="entries">Every entry of the log, in sequence order.</param>
    /// <returns>Whether the chain holds, and where and why it first breaks.</returns>
    public static AuditChainVerification Verify(string tenantId, IEnumerable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var verifier = new AuditChainVerifier(tenantId);
        foreach (var entry in entries)
        {
            if (verifier.Check(entry) is { } broken)
            {
                return broken;
            }
        }

        return verifier.Result();
    }

    /// <summary>
    /// Verifies a tenant's chain in a store, reading it page by page from entry 1. Backends implement
    /// <see cref="IProvisioningStore.VerifyAuditChainAsync"/> with this, so verification never depends on the
    /// backend that wrote the log.
    /// </summary>
    /// <param name="store">The store to read.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the walk between pages.</param>
    /// <returns>Whether the chain holds, and where and why it first breaks.</returns>
    public static async Task<AuditChainVerification> VerifyAsync(
        IProvisioningStore store, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        StoreLimits.CheckId(tenantId);
        var verifier = new AuditChainVerifier(tenantId);
        var next = 1L;
        while (true)
        {
            var page = await store.ReadAuditAsync(tenantId, next, StoreLimits.MaxPageSize, cancellationToken)
                .ConfigureAwait(false);
            foreach (var entry in page)
            {
                if (verifier.Check(entry) is { } broken)
                {
                    return broken;
                }
            }

            if (page.Count < StoreLimits.MaxPageSize)
            {
                return verifier.Result();
            }

            next = page[^1].Sequence + 1;
        }
    }

    private static void AppendString(IncrementalHash hash, string? value)
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

    private static SortedDictionary<string, string> SortedCopy(IReadOnlyDictionary<string, string> details)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in details)
        {
            sorted.Add(key, value);
        }

        return sorted;
    }
}
