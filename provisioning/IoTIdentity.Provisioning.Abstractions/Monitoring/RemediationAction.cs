namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>What the service does on its own when a finding of a kind opens (the tenant's <see cref="MonitoringPolicy"/>).</summary>
public enum RemediationAction
{
    /// <summary>Only record the finding and notify.</summary>
    Alert,

    /// <summary>Refuse the devices' renewals (and tokens) until an operator releases them; reversible.</summary>
    Quarantine,

    /// <summary>Revoke the devices with the policy's CRL reason; not reversible.</summary>
    Revoke,
}
