namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>The reply to the last successful attest, so a retry with the same nonce gets the same certificate.</summary>
[GenerateSerializer, Immutable]
public sealed record CompletedAttest
{
    [Id(0)] public required byte[] Nonce { get; init; }
    [Id(1)] public required byte[] Reply { get; init; }
}
