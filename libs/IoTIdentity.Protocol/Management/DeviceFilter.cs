namespace IoTIdentity.Protocol.Management;

/// <summary>Filters of <c>GET /api/v1/devices</c>; null leaves a filter out, and every filter given must hold.</summary>
/// <param name="State">Only devices in this state (Unknown, Challenged, Active, Transferring, Disabled, Revoked; any case).</param>
/// <param name="Compliant">Only (non-)compliant devices.</param>
/// <param name="GroupId">Only devices of this enrolment group (one of the tenant's groups).</param>
/// <param name="Tag">Only devices carrying this tag.</param>
/// <param name="DeviceIdPrefix">Only devices whose id starts with this (lowercase hex).</param>
public sealed record DeviceFilter(string? State = null, bool? Compliant = null, string? GroupId = null, string? Tag = null, string? DeviceIdPrefix = null);
