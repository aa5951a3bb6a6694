using Microsoft.Extensions.Logging;

namespace IoTIdentity.DeviceAgent;

/// <summary>The agent's structured log events. Never key material, secrets or credential blobs.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(1, LogLevel.Information, "Enrolled device {DeviceId} ({Mode}): serial {Serial}, owner {Owner}, expires {NotAfter:o}, renew after {RenewAfter:o}")]
    public static partial void Issued(ILogger logger, string deviceId, string mode, string serial, string owner, DateTimeOffset notAfter, DateTimeOffset renewAfter);

    [LoggerMessage(2, LogLevel.Information, "Identity {Serial} renews at {RenewAt:o}")]
    public static partial void Scheduled(ILogger logger, string serial, DateTimeOffset renewAt);

    [LoggerMessage(3, LogLevel.Warning, "{Operation} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, Exception exception, string operation, int attempt, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "The certificate {Serial} expired at {NotAfter:o}; re-enrolling from the EK and a new AK")]
    public static partial void Expired(ILogger logger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(5, LogLevel.Warning, "The service refused the renewal of {Serial} ({Error}); re-enrolling")]
    public static partial void RenewalRefused(ILogger logger, string serial, string error);

    [LoggerMessage(6, LogLevel.Warning, "Ignored a command on the command topic: {Reason}")]
    public static partial void CommandIgnored(ILogger logger, string reason);

    [LoggerMessage(7, LogLevel.Information, "Executing command {CommandId} ({Kind})")]
    public static partial void CommandExecuting(ILogger logger, string commandId, string kind);

    [LoggerMessage(8, LogLevel.Warning, "The identity was revoked by command {CommandId}; it is deleted and the agent waits for 'iotid-agent enroll'")]
    public static partial void Revoked(ILogger logger, string commandId);

    [LoggerMessage(9, LogLevel.Information, "Removed the local identity of {DeviceId}")]
    public static partial void Reset(ILogger logger, string deviceId);
}
