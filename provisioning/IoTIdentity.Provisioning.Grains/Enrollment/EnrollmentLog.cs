using IoTIdentity.Protocol;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>Enrolment log messages (never secrets, keys or payloads).</summary>
internal static partial class EnrollmentLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Device {DeviceId} challenged for {Mode} under {TenantId}/{GroupId}")]
    public static partial void Challenged(ILogger logger, string deviceId, string mode, string tenantId, string groupId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Device {DeviceId} issued certificate {Serial} under {TenantId}, valid to {NotAfter:O}")]
    public static partial void Issued(ILogger logger, string deviceId, string serial, string tenantId, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Device {DeviceId} {Operation} refused: {Error}: {Detail}")]
    public static partial void Refused(ILogger logger, string deviceId, string operation, ProvisioningError error, string detail);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Device {DeviceId} {Operation} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string deviceId, string operation);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Device {DeviceId} attest retried with the completed nonce: same certificate returned")]
    public static partial void Replayed(ILogger logger, string deviceId);
}
