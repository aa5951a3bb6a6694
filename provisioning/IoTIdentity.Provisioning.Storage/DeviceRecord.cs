namespace IoTIdentity.Provisioning.Storage;

/// <summary>One device in a tenant's inventory: what the management API lists and filters.</summary>
/// <remarks>Times are stored with 100 ns precision and read back in UTC (offset zero); <see cref="DateTimeOffset"/>
/// equality compares instants, and <see cref="Tags"/> compare by their elements, so a record read back equals the one
/// written.</remarks>
/// <param name="TenantId">The owning tenant (the partition); 1–256 characters.</param>
/// <param name="DeviceId">The device; 1–256 characters, unique within the tenant.</param>
/// <param name="State">The device's lifecycle state as the grain names it (e.g. "Active", "Revoked");
/// 1–256 characters. Listing filters on it by exact, case-sensitive match.</param>
/// <param name="Firmware">The firmware version last attested, if any; up to 256 characters.</param>
/// <param name="CertificateSerial">The current certificate's serial number (hex), if any; up to 256 characters.</param>
/// <param name="CertificateNotAfter">The current certificate's expiry, if any.</param>
/// <param name="Compliant">Whether the last attestation satisfied the tenant's policy.</param>
/// <param name="UpdatedAt">When the grain last changed the record.</param>
/// <param name="GroupId">The enrolment group the device enrolled through, if any; up to 256 characters. Listing
/// filters on it by exact match.</param>
/// <param name="Tags">The owner's labels, in ascending ordinal order without duplicates; at most
/// <see cref="StoreLimits.MaxTags"/>, each 1–<see cref="StoreLimits.MaxTagLength"/> characters. Listing filters on
/// one tag by exact match.</param>
/// <param name="LastSeenAt">When the device was last seen on its channel (connected, disconnected, or still connected at
/// the last refresh), if ever.</param>
/// <param name="Connected">Whether the device held an authenticated session when last seen.</param>
/// <param name="Links">The tenant's other device ids of the same TPM (its other EK), in ascending ordinal order without
/// duplicates; at most <see cref="StoreLimits.MaxLinks"/>, each a valid id.</param>
public sealed record DeviceRecord(
    string TenantId,
    string DeviceId,
    string State,
    string? Firmware,
    string? CertificateSerial,
    DateTimeOffset? CertificateNotAfter,
    bool Compliant,
    DateTimeOffset UpdatedAt,
    string? GroupId = null,
    IReadOnlyList<string>? Tags = null,
    DateTimeOffset? LastSeenAt = null,
    bool Connected = false,
    IReadOnlyList<string>? Links = null)
{
    /// <summary>The tags, never null (written last, as the API's <c>DeviceSummary</c> writes them).</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public IReadOnlyList<string> Tags { get; init; } = Tags ?? [];

    /// <summary>The tenant's other device ids of the same TPM; empty when none.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(2)]
    public IReadOnlyList<string> Links { get; init; } = Links ?? [];

    /// <inheritdoc/>
    public bool Equals(DeviceRecord? other) =>
        other is not null
        && (TenantId, DeviceId, State, Firmware, CertificateSerial, CertificateNotAfter, Compliant, UpdatedAt, GroupId, LastSeenAt, Connected)
        == (other.TenantId, other.DeviceId, other.State, other.Firmware, other.CertificateSerial, other.CertificateNotAfter, other.Compliant,
            other.UpdatedAt, other.GroupId, other.LastSeenAt, other.Connected)
        && Tags.SequenceEqual(other.Tags, StringComparer.Ordinal)
        && Links.SequenceEqual(other.Links, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TenantId, DeviceId, State, UpdatedAt, GroupId, Tags.Count);
}
