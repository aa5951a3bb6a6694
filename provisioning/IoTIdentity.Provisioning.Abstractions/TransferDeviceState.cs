namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>One device's progress in a transfer.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TransferDeviceState>))]
public enum TransferDeviceState
{
    /// <summary>Held for the transfer; not accepted yet.</summary>
    Pending,
    /// <summary>Accepted: the device belongs to the target and was told to re-enrol (or will be when it connects).</summary>
    CommandSent,
    /// <summary>The device re-attested and holds a certificate of the target's CA.</summary>
    Reenrolled,
    /// <summary>The device could not be moved (see the error).</summary>
    Failed,
}
