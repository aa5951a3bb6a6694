namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>What revoking one certificate did.</summary>
public enum CertificateRevocationOutcome
{
    /// <summary>The device holds no certificate with that serial from the caller's tenant.</summary>
    NotFound,
    /// <summary>An earlier certificate was revoked (a session it authenticated before a renewal may still be open).</summary>
    Revoked,
    /// <summary>The device's current certificate was revoked: its live sessions must be closed.</summary>
    RevokedCurrent,
}
