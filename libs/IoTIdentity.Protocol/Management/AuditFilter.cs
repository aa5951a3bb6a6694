namespace IoTIdentity.Protocol.Management;

/// <summary>Filters of <c>GET /api/v1/audit</c> and its export; null leaves a filter out.</summary>
/// <param name="From">Entries at or after this (as the API takes it: an ISO 8601 time).</param>
/// <param name="To">Entries before this.</param>
/// <param name="DeviceId">Only entries about this device.</param>
/// <param name="Action">Only entries of this action (register, attest, revoke, group-update, root-trusted, …; the service lists them when one is wrong).</param>
/// <param name="Subject">Only entries about this subject: a device id, an API key id, a group id, a tenant id, or a
/// manufacturer root's SHA-256 fingerprint.</param>
public sealed record AuditFilter(string? From = null, string? To = null, string? DeviceId = null, string? Action = null, string? Subject = null);
