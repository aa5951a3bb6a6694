namespace IoTIdentity.Protocol.Ownership;

/// <summary>The outcome of <see cref="OwnershipChainVerifier.Verify"/>.</summary>
public sealed record OwnershipVerification
{
    /// <summary>Whether every entry passed every check.</summary>
    public required bool IsValid { get; init; }

    /// <summary>The first failed check, or null.</summary>
    public OwnershipFailure? Failure { get; init; }

    /// <summary>The index (= expected sequence) of the entry that failed, or null (also for <see cref="OwnershipFailure.Empty"/>).</summary>
    public int? FailedEntry { get; init; }

    /// <summary>The owners in order, first owner first (the current owner last); only the verified prefix on failure.</summary>
    public required IReadOnlyList<string> Owners { get; init; }

    /// <summary>
    /// True when the signatures were checked with the keys embedded in the document's <c>owners</c> map: that proves the
    /// chain is intact, not who the owners are — pass trusted keys (e.g. from each tenant's ownership-key URL) for that.
    /// </summary>
    public required bool UsedEmbeddedKeys { get; init; }

    /// <summary>What failed, in a sentence (null when valid).</summary>
    public string? Detail { get; init; }
}
