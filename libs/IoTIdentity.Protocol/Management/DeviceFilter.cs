namespace IoTIdentity.Protocol.Management;

/// <summary>Filters of <c>GET /api/v1/devices</c>; null leaves a filter out.</summary>
/// <param name="State">Only devices in this state (exact, e.g. Active).</param>
/// <param name="Compliant">Only (non-)compliant devices.</param>
/// <param name="GroupId">Only devices of this enrolment group.</param>
public sealed record DeviceFilter(string? State = null, bool? Compliant = null, string? GroupId = null);
