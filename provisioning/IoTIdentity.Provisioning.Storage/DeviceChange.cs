namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// One change of a device, written by <see cref="IProvisioningStore.WriteDeviceChangeAsync"/>: optionally a value
/// claimed for it first (a newly signed certificate's serial), then its state document (ETag-guarded), then
/// optionally its audit entry, then optionally its inventory row — the order a reader may rely on.
/// </summary>
/// <param name="Kind">The state document's kind.</param>
/// <param name="Key">The state document's key.</param>
/// <param name="Data">The state's new contents.</param>
/// <param name="ExpectedETag">As <see cref="IProvisioningStore.WriteAsync"/>'s: null to create.</param>
public sealed record DeviceChange(string Kind, string Key, ReadOnlyMemory<byte> Data, string? ExpectedETag)
{
    /// <summary>A value to claim for <see cref="DeviceChange.Claim"/>'s owner before anything else is written; taken by another owner, nothing is.</summary>
    public StoreClaim? Claim { get; init; }

    /// <summary>The entry appended to the tenant's audit log after the state.</summary>
    public (string TenantId, AuditEvent Event)? Audit { get; init; }

    /// <summary>The inventory row written last.</summary>
    public DeviceRecord? Inventory { get; init; }
}

/// <summary>A unique value claimed for an owner (<see cref="IProvisioningStore.TryClaimAsync"/>).</summary>
public sealed record StoreClaim(string Scope, string Value, string Owner);

/// <summary>What <see cref="IProvisioningStore.WriteDeviceChangeAsync"/> wrote.</summary>
/// <param name="Claimed">False when the claim was another owner's: then nothing was written.</param>
/// <param name="ETag">The state's new ETag (null when nothing was written).</param>
/// <param name="Audit">The appended audit entry, when the change had one and was written.</param>
public sealed record DeviceChangeWritten(bool Claimed, string? ETag, AuditEntry? Audit)
{
    /// <summary>Nothing written: the claim belongs to another owner.</summary>
    public static readonly DeviceChangeWritten ClaimTaken = new(false, null, null);
}
