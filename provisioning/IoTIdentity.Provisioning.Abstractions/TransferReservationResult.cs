namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The answer of a device asked to join a transfer.</summary>
public enum TransferReservationResult
{
    /// <summary>The device is held for the transfer.</summary>
    Reserved,
    /// <summary>The device is not the source tenant's (or does not exist).</summary>
    NotFound,
    /// <summary>The device is in another open transfer, moving, revoked, disabled or not enrolled yet.</summary>
    Conflict,
}
