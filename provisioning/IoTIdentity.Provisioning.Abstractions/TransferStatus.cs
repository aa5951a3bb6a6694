namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>Where a transfer is: <c>Pending → Accepted → Completed</c>, or <c>Pending → Cancelled | Expired</c>.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TransferStatus>))]
public enum TransferStatus
{
    /// <summary>Created by the source; waiting for the target to accept (or for cancellation or expiry).</summary>
    Pending,
    /// <summary>The target accepted; devices are moving.</summary>
    Accepted,
    /// <summary>Every device re-enrolled for the target (or failed).</summary>
    Completed,
    /// <summary>Cancelled before acceptance: nothing changed.</summary>
    Cancelled,
    /// <summary>Not accepted in time: nothing changed.</summary>
    Expired,
}
