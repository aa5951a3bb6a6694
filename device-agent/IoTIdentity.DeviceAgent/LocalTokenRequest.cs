namespace IoTIdentity.DeviceAgent;

/// <summary>What an application on the device writes to the token socket: one JSON line.</summary>
public sealed record LocalTokenRequest
{
    /// <summary>The relying party the token is for.</summary>
    public string? Audience { get; init; }

    /// <summary>A shorter lifetime than the group's default, in seconds.</summary>
    public int? LifetimeSeconds { get; init; }
}
