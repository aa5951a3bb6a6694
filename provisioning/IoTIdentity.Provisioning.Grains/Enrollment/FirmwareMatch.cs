namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The firmware a device proved: the allowed release its event log matched, or null when the policy does not ask.</summary>
internal sealed record FirmwareMatch(string? Release);
