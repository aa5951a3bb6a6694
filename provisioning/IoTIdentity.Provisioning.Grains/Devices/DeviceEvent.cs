namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// What a change of a device writes to a tenant's audit log: the action, its outcome, who did it, details, and the
/// bytes that are its evidence (the device's request, when a request caused it).
/// </summary>
public sealed record DeviceEvent(string? TenantId, string Action, string Outcome, string Actor,
    IReadOnlyDictionary<string, string>? Details = null, byte[]? Evidence = null);
