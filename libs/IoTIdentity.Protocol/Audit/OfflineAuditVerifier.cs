using System.Security.Cryptography;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Protocol.Audit;

/// <summary>
/// Checks an exported audit log (every entry from 1, in the order exported) against a signed checkpoint, without the
/// service. The hash chain alone cannot show a suffix rewritten and re-hashed, or a tail cut off; the checkpoint's
/// size and head hash, signed by a key outside the store, can.
/// </summary>
/// <remarks>
/// Checks, in order: (1) the checkpoint names the key given and its signature verifies; then for each entry
/// (2) its tenant is the checkpoint's; (3) its sequence is the next one — otherwise the export is
/// <see cref="AuditTampering.Reordered"/> when the missing sequence appears later or an earlier one comes back,
/// <see cref="AuditTampering.Dropped"/> when it never appears; (4) it links to the previous entry's hash;
/// (5) its contents hash to its hash; (6) the entry at the checkpoint's size hashes to the checkpoint's head.
/// Finally (7) the export reaches the checkpoint's size.
/// </remarks>
public static class OfflineAuditVerifier
{
    /// <summary>Verifies <paramref name="entries"/> against <paramref name="checkpoint"/>.</summary>
    /// <param name="entries">The export's entries in file order.</param>
    /// <param name="checkpoint">A checkpoint of the same tenant's log.</param>
    /// <param name="key">The checkpoint key (its id and public key), obtained from the operator or the service.</param>
    public static OfflineAuditVerification Verify(IEnumerable<AuditEntryView> entries, AuditCheckpoint checkpoint, AuditCheckpointKey key)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(key);

        // 1. the checkpoint: the key it names, and its signature
        if (!string.Equals(checkpoint.KeyId, key.KeyId, StringComparison.Ordinal))
            return OfflineAuditVerification.Failed(0, null, AuditTampering.UnknownKey, $"The checkpoint was signed by key '{checkpoint.KeyId}', not '{key.KeyId}'.");
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(key.PublicKeyPem);
        if (!AuditCheckpoints.HasValidSignature(checkpoint, publicKey))
            return OfflineAuditVerification.Failed(0, null, AuditTampering.BadSignature, "The checkpoint's signature does not verify with the checkpoint key.");

        var expected = 1L;
        var previous = AuditHash.GenesisHash;
        var read = 0L;
        using var cursor = entries.GetEnumerator();
        while (cursor.MoveNext())
        {
            var entry = cursor.Current;
            read++;
            // 2. tenant
            if (!string.Equals(entry.TenantId, checkpoint.TenantId, StringComparison.Ordinal))
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.WrongTenant, $"Entry {entry.Sequence} belongs to tenant '{entry.TenantId}', not '{checkpoint.TenantId}'.");

            // 3. sequence
            if (entry.Sequence < expected)
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.Reordered, $"Entry {entry.Sequence} appears after entry {expected - 1}.");
            if (entry.Sequence > expected)
            {
                var found = entry.Sequence;
                while (cursor.MoveNext())
                {
                    if (cursor.Current.Sequence == expected)
                        return OfflineAuditVerification.Failed(read, expected, AuditTampering.Reordered, $"Entry {expected} appears after entry {found}.");
                }
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.Dropped, $"Entry {expected} is missing (the next entry is {found}).");
            }

            // 4. link
            if (!string.Equals(entry.PreviousHash, previous, StringComparison.OrdinalIgnoreCase))
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.LinkBroken, $"Entry {expected} links to {entry.PreviousHash}, but entry {expected - 1} hashes to {previous}.");

            // 5. contents
            string actual;
            try
            {
                actual = AuditHash.Compute(entry.TenantId, entry.Sequence, entry.PreviousHash, entry.Event);
            }
            catch (ArgumentException e)
            {
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.EntryAltered, $"Entry {expected} cannot be encoded for hashing: {e.Message}");
            }
            if (!string.Equals(actual, entry.Hash, StringComparison.OrdinalIgnoreCase))
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.EntryAltered, $"Entry {expected} carries hash {entry.Hash}, but its contents hash to {actual}.");

            // 6. the checkpoint's head
            if (expected == checkpoint.Size && !string.Equals(actual, checkpoint.HeadHash, StringComparison.OrdinalIgnoreCase))
                return OfflineAuditVerification.Failed(read, expected, AuditTampering.HeadMismatch,
                    $"Entry {expected} hashes to {actual}, but the checkpoint of {checkpoint.At:O} says {checkpoint.HeadHash}: the log up to it was rewritten.");

            previous = actual;
            expected++;
        }

        // 7. the checkpoint's size
        var size = expected - 1;
        if (size < checkpoint.Size)
            return OfflineAuditVerification.Failed(read, expected, AuditTampering.Truncated, $"The export ends at entry {size}, but the checkpoint counts {checkpoint.Size} entries.");
        if (checkpoint.Size == 0 && !string.Equals(checkpoint.HeadHash, AuditHash.GenesisHash, StringComparison.Ordinal))
            return OfflineAuditVerification.Failed(read, null, AuditTampering.HeadMismatch, "The checkpoint of an empty log names a head other than the genesis hash.");
        return new OfflineAuditVerification(true, read, null, AuditTampering.None, null, size - checkpoint.Size);
    }
}
