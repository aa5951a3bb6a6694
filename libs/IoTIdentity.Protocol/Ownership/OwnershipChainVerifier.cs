using System.Buffers.Text;
using System.Security.Cryptography;

namespace IoTIdentity.Protocol.Ownership;

/// <summary>
/// Checks a device's ownership chain, offline. For each entry in order, and stopping at the first failure:
/// <list type="number">
/// <item>the document has at least one entry (<see cref="OwnershipFailure.Empty"/>);</item>
/// <item>the entry names the document's device (<see cref="OwnershipFailure.WrongDevice"/>);</item>
/// <item>its sequence is its position (<see cref="OwnershipFailure.SequenceGap"/>);</item>
/// <item>its previous hash is empty for the first entry, else the hash of the entry before it (<see cref="OwnershipFailure.BrokenHashLink"/>);</item>
/// <item>its time is not before the previous entry's (<see cref="OwnershipFailure.TimeReversed"/>);</item>
/// <item>its owner is the owner after the previous entry (<see cref="OwnershipFailure.OwnerMismatch"/>);</item>
/// <item>the first entry has no next owner; every later one has a next owner that differs from its owner (<see cref="OwnershipFailure.InvalidNextOwner"/>);</item>
/// <item>its signer is its owner (<see cref="OwnershipFailure.SignerNotOwner"/>);</item>
/// <item>a key is known for the signer (<see cref="OwnershipFailure.UnknownSignerKey"/>), and an embedded one is an EC P-256 PEM key (<see cref="OwnershipFailure.InvalidOwnerKey"/>);</item>
/// <item>the signature verifies over <see cref="OwnershipEntries.SignedBytes"/> (<see cref="OwnershipFailure.BadSignature"/>).</item>
/// </list>
/// </summary>
public static class OwnershipChainVerifier
{
    /// <summary>
    /// Verifies <paramref name="document"/>. With <paramref name="trustedOwnerKeys"/> (tenantId → ownership public key)
    /// only those keys are used; with null, the keys embedded in the document are trusted, which the result says.
    /// </summary>
    public static OwnershipVerification Verify(OwnershipDocument document, IReadOnlyDictionary<string, ECDsa>? trustedOwnerKeys)
    {
        ArgumentNullException.ThrowIfNull(document);
        var embedded = trustedOwnerKeys is null;
        var owners = new List<string>();
        var loaded = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        try
        {
            if (document.Entries.Count == 0) return Fail(OwnershipFailure.Empty, null, "the chain has no entries");
            OwnershipEntry? previous = null;
            for (var i = 0; i < document.Entries.Count; i++)
            {
                var entry = document.Entries[i];
                if (entry.DeviceId != document.DeviceId) return Fail(OwnershipFailure.WrongDevice, i, $"entry names device {entry.DeviceId}");
                if (entry.Sequence != i) return Fail(OwnershipFailure.SequenceGap, i, $"sequence {entry.Sequence} at position {i}");
                var expectedLink = previous is null ? "" : Base64Url.EncodeToString(OwnershipEntries.Hash(previous));
                if (!string.Equals(entry.PreviousEntryHash, expectedLink, StringComparison.Ordinal))
                    return Fail(OwnershipFailure.BrokenHashLink, i, "previous entry hash does not match");
                if (previous is not null && entry.At < previous.At) return Fail(OwnershipFailure.TimeReversed, i, "dated before the previous entry");
                if (previous is not null && entry.OwnerTenantId != previous.OwnerAfter)
                    return Fail(OwnershipFailure.OwnerMismatch, i, $"owner {entry.OwnerTenantId}, but the previous entry handed the device to {previous.OwnerAfter}");
                if (previous is null ? entry.NextOwnerTenantId is not null : entry.NextOwnerTenantId is null || entry.NextOwnerTenantId == entry.OwnerTenantId)
                    return Fail(OwnershipFailure.InvalidNextOwner, i, previous is null ? "the first entry is an enrolment: no next owner" : "a transfer needs a different next owner");
                if (entry.SignerTenantId != entry.OwnerTenantId) return Fail(OwnershipFailure.SignerNotOwner, i, $"signed by {entry.SignerTenantId}, not the owner {entry.OwnerTenantId}");
                var key = KeyOf(entry.SignerTenantId, document, trustedOwnerKeys, loaded, out var keyFailure);
                if (key is null) return Fail(keyFailure, i, $"no usable ownership key for {entry.SignerTenantId}");
                if (!key.VerifyData(OwnershipEntries.SignedBytes(entry), Base64Url.DecodeFromChars(entry.Signature), HashAlgorithmName.SHA256,
                        DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                    return Fail(OwnershipFailure.BadSignature, i, "signature does not verify");
                if (owners.Count == 0) owners.Add(entry.OwnerTenantId);
                if (entry.NextOwnerTenantId is { } next) owners.Add(next);
                previous = entry;
            }
            return new OwnershipVerification { IsValid = true, Owners = owners, UsedEmbeddedKeys = embedded };
        }
        finally
        {
            foreach (var key in loaded.Values) key.Dispose();
        }

        OwnershipVerification Fail(OwnershipFailure failure, int? entry, string detail) => new()
        {
            IsValid = false, Failure = failure, FailedEntry = entry, Owners = owners.ToList(), UsedEmbeddedKeys = embedded, Detail = detail,
        };
    }

    private static ECDsa? KeyOf(string tenantId, OwnershipDocument document, IReadOnlyDictionary<string, ECDsa>? trusted,
        Dictionary<string, ECDsa> loaded, out OwnershipFailure failure)
    {
        failure = OwnershipFailure.UnknownSignerKey;
        if (trusted is not null) return trusted.GetValueOrDefault(tenantId);
        if (loaded.TryGetValue(tenantId, out var cached)) return cached;
        if (!document.Owners.TryGetValue(tenantId, out var pem)) return null;
        failure = OwnershipFailure.InvalidOwnerKey;
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value) { key.Dispose(); return null; }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
        loaded[tenantId] = key;
        return key;
    }
}
