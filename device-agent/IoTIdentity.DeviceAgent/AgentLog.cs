using Microsoft.Extensions.Logging;

namespace IoTIdentity.DeviceAgent;

/// <summary>The agent's structured log events. Never key material, secrets or credential blobs.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(1, LogLevel.Information, "Enrolled device {DeviceId} ({Mode}): serial {Serial}, owner {Owner}, expires {NotAfter:o}, renew after {RenewAfter:o}")]
    public static partial void Issued(ILogger logger, string deviceId, string mode, string serial, string owner, DateTimeOffset notAfter, DateTimeOffset renewAfter);

    [LoggerMessage(2, LogLevel.Information, "Identity {Serial} renews at {RenewAt:o}")]
    public static partial void Scheduled(ILogger logger, string serial, DateTimeOffset renewAt);

    [LoggerMessage(3, LogLevel.Warning, "{Operation} failed (attempt {Attempt}): {Reason}; retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(10, LogLevel.Debug, "The failure behind the retry")]
    public static partial void RetryCause(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Error, "{Reason}; trying again at {RetryAt:o}")]
    public static partial void RefusedUntil(ILogger logger, string reason, DateTimeOffset retryAt);

    [LoggerMessage(12, LogLevel.Error, "{Reason}; the identity is deleted and the agent waits for 'iotid-agent enroll'")]
    public static partial void RevokedByService(ILogger logger, string reason);

    [LoggerMessage(13, LogLevel.Information, "Ran the renewal hook '{Command}'")]
    public static partial void HookRan(ILogger logger, string command);

    [LoggerMessage(14, LogLevel.Warning, "The renewal hook '{Command}' failed: {Reason}")]
    public static partial void HookFailed(ILogger logger, string command, string reason);

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

    [LoggerMessage(50, LogLevel.Information, "Authenticated session as {DeviceId} with certificate {Serial} (key in the TPM)")]
    public static partial void AuthenticatedSession(ILogger logger, string deviceId, string serial);

    [LoggerMessage(51, LogLevel.Warning, "Enrolment-only session as {DeviceId}: {Reason}")]
    public static partial void EnrolmentOnlySession(ILogger logger, string deviceId, string reason);

    [LoggerMessage(52, LogLevel.Error, "The service refused the certificate {Serial} at connect ({Refusal}); falling back to an enrolment-only session")]
    public static partial void CertificateRefused(ILogger logger, string serial, string refusal);

    [LoggerMessage(53, LogLevel.Warning, "The certificate {Serial} opens no authenticated session, so neither renewals nor commands can reach it; replacing it in {Delay}")]
    public static partial void ReplacingRefusedCertificate(ILogger logger, string serial, TimeSpan delay);

    [LoggerMessage(40, LogLevel.Information, "Serving tokens to local applications on {Path}")]
    public static partial void TokenSocketListening(ILogger logger, string path);

    [LoggerMessage(41, LogLevel.Warning, "No token for {Audience}: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string audience, string reason);
}
