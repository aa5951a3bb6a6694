using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>Monitoring log messages (never webhook secrets or payload bodies).</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Finding {FindingId} ({Kind}, {Severity}) opened in tenant {TenantId}: {Key}")]
    public static partial void Opened(ILogger logger, string findingId, FindingKind kind, FindingSeverity severity, string tenantId, string key);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Finding {FindingId}: {Action} of device {DeviceId} in tenant {TenantId}")]
    public static partial void Acted(ILogger logger, string findingId, string action, string deviceId, string tenantId);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Finding {FindingId}: automatic {Action} capped in tenant {TenantId} (alert only)")]
    public static partial void Capped(ILogger logger, string findingId, string action, string tenantId);

    [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "Monitoring of tenant {TenantId} failed to read {Count} events")]
    public static partial void ObserveFailed(ILogger logger, Exception exception, string tenantId, int count);

    [LoggerMessage(EventId = 704, Level = LogLevel.Error, Message = "Sweep of tenant {TenantId} failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(EventId = 706, Level = LogLevel.Error, Message = "Monitoring of tenant {TenantId} failed to write its findings' refreshes; trying again")]
    public static partial void RefreshWriteFailed(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "Webhook {EndpointId} delivery {DeliveryId} of finding {FindingId}: {Outcome} after {Attempts} attempts")]
    public static partial void Delivery(ILogger logger, string endpointId, string deliveryId, string findingId, string outcome, int attempts);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "Monitoring of tenant {TenantId} could not learn where {DeviceId} holds authenticated sessions")]
    public static partial void SessionsUnknown(ILogger logger, Exception exception, string tenantId, string deviceId);
}
