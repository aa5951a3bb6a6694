namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// Checks audit entries one at a time, in order: tenant, sequence, link to the previous hash, own hash.
/// </summary>
internal sealed class AuditChainVerifier(string tenantId)
{
    private long _expectedSequence = 1;
    private string _previousHash = AuditChain.GenesisHash;

    /// <summary>Checks the next entry; returns the failure, or null if it links correctly.</summary>
    public AuditChainVerification? Check(AuditEntry entry)
    {
        var checkedSoFar = _expectedSequence;
        if (!string.Equals(entry.TenantId, tenantId, StringComparison.Ordinal))
        {
            return AuditChainVerification.Broken(checkedSoFar, entry.Sequence, AuditChainFault.WrongTenant,
                $"Entry {entry.Sequence} belongs to another tenant than the log it was read from.");
        }

        if (entry.Sequence != _expectedSequence)
        {
            return AuditChainVerification.Broken(checkedSoFar, _expectedSequence, AuditChainFault.SequenceGap,
                $"Expected entry {_expectedSequence} but found entry {entry.Sequence}.");
        }

        if (!string.Equals(entry.PreviousHash, _previousHash, StringComparison.Ordinal))
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

        _previousHash = entry.Hash;
        _expectedSequence++;
        return null;
    }

    /// <summary>The result once every entry passed.</summary>
    public AuditChainVerification Result() => AuditChainVerification.Valid(_expectedSequence - 1);
}
