namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// What grains need from the MQTT side: a device's live sessions, wherever in the cluster it is connected. The host's
/// device channel implements it (an embedded broker per silo, or one external broker).
/// </summary>
public interface IDeviceSessions
{
    /// <summary>Closes every live session of <paramref name="deviceId"/>; returns how many connections were closed.</summary>
    Task<int> CloseSessionsAsync(string deviceId);

    /// <summary>
    /// The ids of <paramref name="deviceId"/>'s certificate-authenticated sessions wherever it is connected (empty behind
    /// an external broker, whose sessions are the broker's), or null when a silo that is still a member could not answer.
    /// With <paramref name="askLiveness"/> each such session's connection is also asked, in the background, whether its
    /// peer is still there, which ends it if not (the question a CONNECT with the device's certificate asks of a session
    /// held on its own silo).
    /// </summary>
    Task<IReadOnlyList<string>?> AuthenticatedSessionsAsync(string deviceId, bool askLiveness);

    /// <summary>
    /// Publishes <paramref name="payload"/> on <paramref name="deviceId"/>'s command topic wherever the device is connected;
    /// false when no MQTT endpoint runs to publish through (the command then waits for the device's next subscription).
    /// </summary>
    Task<bool> PublishCommandAsync(string deviceId, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells every silo's certificate check that <paramref name="tenantId"/> revoked <paramref name="serialNumbers"/>
    /// (lowercase hex), so a CONNECT with one of those certificates is refused at once wherever it arrives. A silo that
    /// cannot be told is logged and catches up when its view next reloads; this never fails the revocation.
    /// </summary>
    Task CertificatesRevokedAsync(string tenantId, IReadOnlyCollection<string> serialNumbers);
}
