namespace IoTIdentity.Protocol.Management;

/// <summary>Filters of <c>GET /api/v1/audit</c> and its export; null leaves a filter out.</summary>
/// <param name="From">Entries at or after this (as the API takes it: an ISO 8601 time).</param>
/// <param name="To">Entries before this.</param>
/// <param name="DeviceId">Only entries about this device.</param>
/// <param name="Action">Only entries of this action (enrol, renew, revoke, transfer, …).</param>
public sealed record AuditFilter(string? From = null, string? To = null, string? DeviceId = null, string? Action = null);
