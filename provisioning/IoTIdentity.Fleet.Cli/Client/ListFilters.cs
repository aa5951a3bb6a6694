// The query filters of the two filtered lists, kept beside each other because they are read the same way.
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>Filters of <c>GET /api/v1/devices</c>; null leaves a filter out.</summary>
/// <param name="State">Only devices in this state (exact, e.g. Active).</param>
/// <param name="Compliant">Only (non-)compliant devices.</param>
/// <param name="GroupId">Only devices of this enrolment group.</param>
public sealed record DeviceFilter(string? State = null, bool? Compliant = null, string? GroupId = null);

/// <summary>Filters of <c>GET /api/v1/audit</c> and its export; null leaves a filter out.</summary>
/// <param name="From">Entries at or after this (as the API takes it: an ISO 8601 time).</param>
/// <param name="To">Entries before this.</param>
/// <param name="DeviceId">Only entries about this device.</param>
/// <param name="Action">Only entries of this action (enrol, renew, revoke, transfer, …).</param>
public sealed record AuditFilter(string? From = null, string? To = null, string? DeviceId = null, string? Action = null);
