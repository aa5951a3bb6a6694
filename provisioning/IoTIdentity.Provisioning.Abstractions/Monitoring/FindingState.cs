namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>Where an operator is with a finding. A resolved finding that fires again opens a new one.</summary>
public enum FindingState
{
    Open,
    Acknowledged,
    Resolved,
}
