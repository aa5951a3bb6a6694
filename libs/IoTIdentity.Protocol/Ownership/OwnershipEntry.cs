namespace IoTIdentity.Protocol.Ownership;

/// <summary>
/// One link of a device's ownership record: <see cref="OwnerTenantId"/> (the owner when the entry was made, and its
/// signer) hands the device to <see cref="NextOwnerTenantId"/>. The first entry — enrolment into the first owner —
/// has no next owner and is signed by that first owner. Binary fields are base64url (no padding) as in the document;
/// the signature covers <see cref="OwnershipEntries.SignedBytes"/>.
/// </summary>
public sealed record OwnershipEntry
{
    /// <summary>Position in the chain, from 0.</summary>
    public required long Sequence { get; init; }

    /// <summary><see cref="OwnershipEntries.Hash"/> of the previous entry, base64url; empty for the first entry.</summary>
    public required string PreviousEntryHash { get; init; }

    /// <summary>The device (lowercase hex SHA-256 of its EK public area).</summary>
    public required string DeviceId { get; init; }

    /// <summary>The owner when the entry was made (the first owner, for the first entry).</summary>
    public required string OwnerTenantId { get; init; }

    /// <summary>The owner the device passes to; null for the first entry (enrolment).</summary>
    public string? NextOwnerTenantId { get; init; }

    /// <summary>When the entry was made (signed to the millisecond).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The tenant whose ownership key signed the entry: always <see cref="OwnerTenantId"/>.</summary>
    public required string SignerTenantId { get; init; }

    /// <summary>ECDSA P-256 / SHA-256 signature (IEEE P1363 r||s), base64url.</summary>
    public required string Signature { get; init; }

    /// <summary>Who owns the device once this entry is in force.</summary>
    public string OwnerAfter => NextOwnerTenantId ?? OwnerTenantId;
}
