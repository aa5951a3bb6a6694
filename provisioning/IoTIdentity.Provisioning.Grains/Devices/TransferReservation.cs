namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>A pending transfer's hold on a device; it lapses by itself at <see cref="ExpiresAt"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferReservation([property: Id(0)] string TransferId, [property: Id(1)] DateTimeOffset ExpiresAt);
