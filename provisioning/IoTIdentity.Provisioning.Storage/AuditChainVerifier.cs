namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// Checks audit entries one at a time, in order: tenant, sequence, link to the previous hash, own hash. It starts at
/// entry 1 (linked to <see cref="AuditChain.GenesisHash"/>) or, for a walk that begins in the middle of a log, at a
/// given entry linked to a given hash (the head of a signed checkpoint, or the hash the first entry read claims). A walk
/// may also be held to a signed head: the entry at its size must hash to its hash, and a log that ends before it is
/// broken (cut back below what was signed), not short.
/// </summary>
/// <param name="tenantId">The tenant whose log is walked.</param>
/// <param name="firstSequence">The first entry the walk expects; at least 1.</param>
/// <param name="previousHash">The hash entry <paramref name="firstSequence"/> must link to; null to take what that
/// entry claims (the walk then proves the entries consistent with each other and with whatever anchors its end).</param>
/// <param name="signedSize">The size of a signed checkpoint the walk must reach; 0 for none.</param>
/// <param name="signedHeadHash">That checkpoint's head hash, which entry <paramref name="signedSize"/> must have.</param>
public sealed class AuditChainVerifier(
    string tenantId, long firstSequence = 1, string? previousHash = AuditChain.GenesisHash, long signedSize = 0, string? signedHeadHash = null)
{
    private long _expectedSequence = firstSequence >= 1 ? firstSequence : throw new ArgumentOutOfRangeException(nameof(firstSequence));
    private string? _previousHash = previousHash;

    /// <summary>The tenant whose log is walked.</summary>
    public string TenantId { get; } = tenantId;

    /// <summary>The hash of the last entry that passed (the link the next one must carry); null before the first.</summary>
    public string? HeadHash { get; private set; }

    /// <summary>The sequence of the last entry that passed; <c>firstSequence − 1</c> before the first.</summary>
    public long LastSequence => _expectedSequence - 1;

    /// <summary>Checks the next entry; returns the failure, or null if it links correctly.</summary>
    public AuditChainVerification? Check(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var checkedSoFar = _expectedSequence - firstSequence + 1;
        if (!string.Equals(entry.TenantId, TenantId, StringComparison.Ordinal))
        {
            return AuditChainVerification.Broken(checkedSoFar, entry.Sequence, AuditChainFault.WrongTenant,
                $"Entry {entry.Sequence} belongs to another tenant than the log it was read from.");
        }

        if (entry.Sequence != _expectedSequence)
        {
            return AuditChainVerification.Broken(checkedSoFar, _expectedSequence, AuditChainFault.SequenceGap,
                $"Expected entry {_expectedSequence} but found entry {entry.Sequence}.");
        }

        if (_previousHash is not null && !string.Equals(entry.PreviousHash, _previousHash, StringComparison.Ordinal))
        {
            return AuditChainVerification.Broken(checkedSoFar, entry.Sequence, AuditChainFault.PreviousHashMismatch,
                $"Entry {entry.Sequence} links to {entry.PreviousHash}, but the entry before it hashes to {_previousHash}.");
        }

        string actual;
        try
        {
            actual = AuditChain.ComputeHash(entry.TenantId, entry.Sequence, entry.PreviousHash, entry.Event);
        }
        catch (ArgumentException e)
        {
            return AuditChainVerification.Broken(checkedSoFar, entry.Sequence, AuditChainFault.HashMismatch,
                $"Entry {entry.Sequence} cannot be encoded for hashing: {e.Message}");
        }

        if (!string.Equals(actual, entry.Hash, StringComparison.Ordinal))
        {
            return AuditChainVerification.Broken(checkedSoFar, entry.Sequence, AuditChainFault.HashMismatch,
                $"Entry {entry.Sequence} stores hash {entry.Hash}, but its contents hash to {actual}: it was altered.");
        }

        if (signedHeadHash is not null && entry.Sequence == signedSize && !string.Equals(entry.Hash, signedHeadHash, StringComparison.Ordinal))
        {
            return AuditChainVerification.Broken(checkedSoFar, entry.Sequence, AuditChainFault.HashMismatch,
                $"Entry {entry.Sequence} hashes to {entry.Hash}, but the signed checkpoint of {signedSize} entries says {signedHeadHash}.");
        }

        _previousHash = entry.Hash;
        HeadHash = entry.Hash;
        _expectedSequence++;
        return null;
    }

    /// <summary>The result once every entry passed: valid, unless the walk ended before the signed head it was held to.</summary>
    public AuditChainVerification Result() =>
        signedHeadHash is not null && LastSequence < signedSize
            ? AuditChainVerification.Broken(_expectedSequence - firstSequence, _expectedSequence, AuditChainFault.SequenceGap,
                $"The log ends before entry {signedSize}, the head of its signed checkpoint.")
            : AuditChainVerification.Valid(_expectedSequence - firstSequence);
}
