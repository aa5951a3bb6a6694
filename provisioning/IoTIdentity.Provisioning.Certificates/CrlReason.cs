namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Why a certificate was revoked: RFC 5280 §5.3.1 CRLReason, with the RFC's numeric values. removeFromCRL (8) is
/// left out: it only appears in delta CRLs, which this service does not publish.
/// </summary>
public enum CrlReason
{
    /// <summary>unspecified (0). Written as an entry without a reasonCode extension, as RFC 5280 §5.3.1 asks.</summary>
    Unspecified = 0,

    /// <summary>keyCompromise (1): the device key is, or may be, known to someone else.</summary>
    KeyCompromise = 1,

    /// <summary>cACompromise (2): the issuing CA's key is compromised.</summary>
    CaCompromise = 2,

    /// <summary>affiliationChanged (3): the device changed owner.</summary>
    AffiliationChanged = 3,

    /// <summary>superseded (4): a newer certificate replaced it (rotation).</summary>
    Superseded = 4,

    /// <summary>cessationOfOperation (5): the device was decommissioned.</summary>
    CessationOfOperation = 5,

    /// <summary>certificateHold (6): temporarily suspended.</summary>
    CertificateHold = 6,

    /// <summary>privilegeWithdrawn (9): the device is no longer allowed to use it (disabled by its owner).</summary>
    PrivilegeWithdrawn = 9,

    /// <summary>aACompromise (10): an attribute authority was compromised (accepted for completeness of the RFC list).</summary>
    AaCompromise = 10,
}
