namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// Where a device is in its life: <c>Unknown → Challenged → Active → Transferring → Active | Disabled | Revoked</c>.
/// A renewal keeps the device <see cref="Active"/> (its current certificate stays valid) while a challenge is open.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DeviceStatus>))]
public enum DeviceStatus
{
    /// <summary>Never seen, or forgotten.</summary>
    Unknown = 0,
    /// <summary>First enrolment in progress: a challenge is open, no certificate yet.</summary>
    Challenged = 1,
    /// <summary>Holds a valid certificate.</summary>
    Active = 2,
    /// <summary>Ownership is moving; the device must re-enrol for the new owner.</summary>
    Transferring = 3,
    /// <summary>An operator disabled it: refused until enabled again.</summary>
    Disabled = 4,
    /// <summary>Its identity was revoked: refused for good.</summary>
    Revoked = 5,
}
