namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// What the MQTT endpoint hands a device's request to (the Orleans side implements it): the device id is the
/// authenticated MQTT client id, already checked against the topic; the payload is the raw message body.
/// </summary>
public interface IDeviceRequestHandler
{
    /// <summary>Handles one request and returns the reply to publish on the request's response topic.</summary>
    Task<DeviceReply> HandleAsync(DeviceRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The device subscribed to its command topic (it connected and listens): deliver any command that waits for it
    /// (a transfer's re-enrol command, an operator's attest-now, for a device that was offline). Reported only for a
    /// session that may receive commands: the authenticated one, while the endpoint requires it. Nothing by default.
    /// </summary>
    Task CommandsSubscribedAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The device's authenticated session (its certificate verified) opened (<paramref name="connected"/>) or closed at
    /// <paramref name="at"/>: its last-seen time and connected state. Enrolment-only sessions are not reported. Nothing by default.
    /// </summary>
    Task SessionChangedAsync(string deviceId, bool connected, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A device request as the endpoint received it.</summary>
/// <param name="DeviceId">The client id (= the device id in the topic).</param>
/// <param name="Operation">The protocol operation (<c>register</c>, <c>attest</c>).</param>
/// <param name="Payload">The message body (JSON).</param>
/// <param name="RemoteAddress">The client's address, for rate limiting and audit.</param>
public sealed record DeviceRequest(string DeviceId, string Operation, ReadOnlyMemory<byte> Payload, string? RemoteAddress)
{
    /// <summary>
    /// The class of the session the request came on: true when its TLS client certificate authenticated it (the
    /// embedded endpoint verified it names this device), false for an enrolment-only session (no certificate), null
    /// when this process cannot tell (behind an external broker, which authenticates devices itself).
    /// </summary>
    public bool? SessionAuthenticated { get; init; }
}

/// <summary>
/// The reply: a JSON body, and for a refusal the error it carries and how long to wait before retrying (for the MQTT
/// reason code and user properties).
/// </summary>
/// <param name="Payload">The message body (JSON).</param>
/// <param name="Error">The refusal reason, or null for success.</param>
/// <param name="RetryAfterSeconds">For a transient refusal, the seconds to wait before retrying, when known.</param>
public sealed record DeviceReply(ReadOnlyMemory<byte> Payload, IoTIdentity.Protocol.ProvisioningError? Error = null, int? RetryAfterSeconds = null);
