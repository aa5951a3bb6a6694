namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Told about certificate-authenticated device sessions of the embedded endpoint as they come and go (for
/// monitoring). Called on the endpoint's connection path, so it must return at once and never throw.
/// </summary>
public interface IDeviceSessionObserver
{
    /// <summary>One session change.</summary>
    void Observe(DeviceSessionEvent sessionEvent);
}

/// <summary>What happened to a device's authenticated session.</summary>
public enum DeviceSessionChange
{
    /// <summary>The session was admitted.</summary>
    Connected,

    /// <summary>The session ended.</summary>
    Disconnected,

    /// <summary>A second authenticated session of a device that holds one was refused (a clone signal).</summary>
    SecondSessionRefused,
}

/// <summary>One session change.</summary>
/// <param name="Change">What happened.</param>
/// <param name="DeviceId">The device (its client id, which its certificate names).</param>
/// <param name="TenantId">The tenant that issued the certificate, when the verifier says.</param>
/// <param name="Address">The peer address.</param>
/// <param name="SessionId">Unique per admitted connection; a refused one gets its own.</param>
/// <param name="At">When.</param>
public sealed record DeviceSessionEvent(DeviceSessionChange Change, string DeviceId, string? TenantId, string? Address, string SessionId, DateTimeOffset At);
