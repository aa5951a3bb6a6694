namespace IoTIdentity.Protocol.Messages;

/// <summary>
/// A command the service sends on <c>iotid/v1/{deviceId}/cmd</c>. Signed by the service so a device can tell a
/// forged command (see the device agent); idempotent by <see cref="CommandId"/>.
/// </summary>
public sealed record DeviceCommand
{
    /// <summary>Unique id; a device ignores an id it has already executed.</summary>
    public required string CommandId { get; init; }

    /// <summary><c>reenroll</c>, <c>revoke</c> or <c>attest-now</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>When it was issued.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The service's signature over the command's canonical bytes.</summary>
    public byte[]? Signature { get; init; }
}
