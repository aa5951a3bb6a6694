using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>The endpoint's log messages. Payloads are never logged: they carry credentials and proofs.</summary>
internal static partial class MqttEndpointLog
{
    [LoggerMessage(1, LogLevel.Information, "MQTT endpoint listening: TLS on port {TlsPort}, plaintext {Plaintext}")]
    public static partial void Listening(ILogger logger, int tlsPort, string plaintext);

    [LoggerMessage(2, LogLevel.Warning, "No MQTT server certificate configured: using the development certificate {Path} (trust this file on devices)")]
    public static partial void UsingDevCertificate(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Information, "Generated a development MQTT certificate at {Path}, valid until {NotAfter:O}")]
    public static partial void GeneratedDevCertificate(ILogger logger, string path, DateTimeOffset notAfter);

    [LoggerMessage(4, LogLevel.Information, "Refused connection from {RemoteAddress}: {Reason} ({Count} refused for this reason since the last such line)")]
    public static partial void ConnectionsRefused(ILogger logger, string? remoteAddress, string reason, long count);

    [LoggerMessage(5, LogLevel.Information, "Refused {Kind} by {ClientId} on {Topic}: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string clientId, string topic, string reason);

    [LoggerMessage(6, LogLevel.Error, "Request handler failed for {DeviceId} {Operation}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string deviceId, string operation);

    [LoggerMessage(7, LogLevel.Warning, "Request handler for {DeviceId} {Operation} did not answer within {Timeout}")]
    public static partial void HandlerTimedOut(ILogger logger, string deviceId, string operation, TimeSpan timeout);

    [LoggerMessage(8, LogLevel.Warning, "Could not publish the reply to {DeviceId} on {Topic}")]
    public static partial void ReplyFailed(ILogger logger, Exception exception, string deviceId, string topic);

    [LoggerMessage(9, LogLevel.Debug, "{DeviceId} {Operation} answered in {ElapsedMs:F1} ms ({Outcome})")]
    public static partial void Handled(ILogger logger, string deviceId, string operation, double elapsedMs, string outcome);

    [LoggerMessage(10, LogLevel.Information, "Closed {Count} MQTT session(s) of {DeviceId}")]
    public static partial void SessionsClosed(ILogger logger, int count, string deviceId);

    [LoggerMessage(11, LogLevel.Warning, "Port {Port} was taken between choosing and binding it; retrying with another")]
    public static partial void PortRace(ILogger logger, int port);

    [LoggerMessage(12, LogLevel.Information, "Attached to the MQTT broker {Broker} as {ClientId}, sharing {Subscription}")]
    public static partial void BrokerAttached(ILogger logger, string broker, string clientId, string subscription);

    [LoggerMessage(13, LogLevel.Warning, "Lost the connection to the MQTT broker {Broker}; reconnecting")]
    public static partial void BrokerLost(ILogger logger, string broker);

    [LoggerMessage(14, LogLevel.Warning, "Could not attach to the MQTT broker {Broker}: {Error}; next attempt in {Delay}")]
    public static partial void BrokerUnreachable(ILogger logger, string broker, string error, TimeSpan delay);

    [LoggerMessage(15, LogLevel.Information, "Detached from the MQTT broker {Broker}")]
    public static partial void BrokerDetached(ILogger logger, string broker);

    [LoggerMessage(16, LogLevel.Warning, "Cannot close the MQTT sessions of {DeviceId}: behind the external broker {Broker} that is the broker's job (see docs/deployment.md)")]
    public static partial void SessionCloseLeftToBroker(ILogger logger, string deviceId, string broker);

    [LoggerMessage(17, LogLevel.Warning, "Delivering waiting commands to {DeviceId} after it subscribed failed")]
    public static partial void SubscribedHandlerFailed(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(18, LogLevel.Warning, "Refused the client certificate of {ClientId}: {Reason}")]
    public static partial void CertificateRefused(ILogger logger, string clientId, string reason);

    [LoggerMessage(19, LogLevel.Warning, "Clone signal: device {DeviceId} connected with its certificate from {Address} while it already holds an authenticated session; refused")]
    public static partial void CloneSignal(ILogger logger, string deviceId, string? address);

    [LoggerMessage(40, LogLevel.Warning, "Recording that {DeviceId} {Change} failed")]
    public static partial void PresenceHandlerFailed(ILogger logger, Exception exception, string deviceId, string change);

    [LoggerMessage(20, LogLevel.Warning, "Accepting an MQTT connection failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string error);

    [LoggerMessage(22, LogLevel.Information, "The MQTT endpoint holds at most {MaxConnections} connections at once ({Source}); {Table}")]
    public static partial void ConnectionCap(ILogger logger, int maxConnections, string source, string table);

    [LoggerMessage(23, LogLevel.Warning, "The MQTT endpoint holds {MaxConnections} connections, its cap: closed {Refused} more as they were accepted (since the last such line)")]
    public static partial void AtConnectionCap(ILogger logger, int maxConnections, long refused);

    [LoggerMessage(41, LogLevel.Warning, ListenBacklog.ConfigurationKey + " = {Backlog}, but the kernel caps every listen backlog at net.core.somaxconn = {KernelCap}: "
        + "a pause in accepting that outlasts {KernelCap} waiting connections drops the next ones' SYNs, and each of those devices waits a second or more. "
        + "Raise it (sysctl -w net.core.somaxconn=…; a container's --sysctl) or lower " + ListenBacklog.ConfigurationKey)]
    public static partial void BacklogCapped(ILogger logger, int backlog, int kernelCap);

    [LoggerMessage(24, LogLevel.Warning, "Accepting MQTT connections paused for {Pause}: the process has no file descriptors (or socket buffers) left ({Error}); {Failures} such failures since the last such line")]
    public static partial void AcceptPaused(ILogger logger, TimeSpan pause, string error, long failures);

    [LoggerMessage(21, LogLevel.Debug, "MQTT connection from {RemoteAddress} ended: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string? remoteAddress, string reason);

    [LoggerMessage(25, LogLevel.Warning, "Asking whether the peer of {DeviceId}'s authenticated session is still there failed")]
    public static partial void LivenessAskFailed(ILogger logger, Exception exception, string deviceId);
}
