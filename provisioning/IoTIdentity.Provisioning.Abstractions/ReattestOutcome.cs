namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>What asking a device to attest again did.</summary>
public enum ReattestOutcome
{
    /// <summary>The device is not the caller's tenant's.</summary>
    NotFound,
    /// <summary>The device holds no certificate it could renew (never enrolled, disabled, quarantined or revoked): nothing was asked.</summary>
    NotRenewable,
    /// <summary>The signed <c>attest-now</c> command was published on the device's command topic (a device listening now gets it; one that is not, when it next subscribes).</summary>
    Sent,
    /// <summary>No MQTT endpoint runs to publish through: the command goes out when the device next subscribes to its commands.</summary>
    Pending,
}
