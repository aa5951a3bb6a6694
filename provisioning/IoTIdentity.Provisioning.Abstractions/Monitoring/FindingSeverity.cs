namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>How urgent a finding is, lowest first (a webhook endpoint may ask for a minimum).</summary>
public enum FindingSeverity
{
    Low,
    Medium,
    High,
    Critical,
}
