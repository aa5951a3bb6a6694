namespace IoTIdentity.Protocol.Management;

/// <summary>
/// The parts of an ownership document (<c>GET /api/v1/devices/{deviceId}/ownership</c>) a fleet tool shows; the whole
/// format, and its verifier, are in <see cref="Ownership.OwnershipDocument"/>.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Entries">The chain's entries.</param>
public sealed record OwnershipDocumentSummary(string DeviceId, IReadOnlyList<OwnershipEntrySummary> Entries)
{
    /// <summary>The device's owners in order: the first entry's owner, then whom each hand-over gave it to.</summary>
    public IReadOnlyList<string> OwnersInOrder()
    {
        var ordered = Entries.OrderBy(e => e.Sequence).ToList();
        return ordered.Count == 0 ? [] : [ordered[0].OwnerTenantId, .. ordered.Skip(1).Select(e => e.NextOwnerTenantId).OfType<string>()];
    }
}
