namespace IoTIdentity.Protocol;

/// <summary>
/// Every reason the service refuses a device or an operator request: one closed list, mapped once to MQTT reason
/// codes (<see cref="ProvisioningErrors.MqttReasonCode"/>) and once to HTTP statuses
/// (<see cref="ProvisioningErrors.HttpStatus"/>). Peers see the name only; detail goes to logs and the audit log.
/// </summary>
public enum ProvisioningError
{
    /// <summary>The request is not valid JSON or misses a field.</summary>
    MalformedRequest = 1,
    /// <summary>A TPM structure in the request does not parse.</summary>
    MalformedTpmStructure,
    /// <summary>The message is larger than the endpoint accepts.</summary>
    MessageTooLarge,
    /// <summary>The client may not publish or subscribe there (topic or client id spoofing).</summary>
    NotAuthorized,
    /// <summary>Too many requests; retry after the given delay.</summary>
    RateLimited,
    /// <summary>The EK certificate does not chain to a trusted manufacturer root.</summary>
    UntrustedEkCertificate,
    /// <summary>The EK certificate is expired or not yet valid.</summary>
    EkCertificateNotTimeValid,
    /// <summary>The EK certificate is not a TCG EK certificate (profile checks failed).</summary>
    InvalidEkCertificate,
    /// <summary>The EK public area is not the key the EK certificate certifies.</summary>
    EkMismatch,
    /// <summary>No enrolment (individual or group) admits this device.</summary>
    NotEnrolled,
    /// <summary>The device or its enrolment is disabled.</summary>
    Disabled,
    /// <summary>The device's identity was revoked.</summary>
    Revoked,
    /// <summary>The enrolment's device quota is used up.</summary>
    QuotaExceeded,
    /// <summary>The attestation key does not meet the requirements.</summary>
    InvalidAttestationKey,
    /// <summary>There is no open challenge for this device (never asked, already used, or replaced).</summary>
    NoChallenge,
    /// <summary>The challenge expired.</summary>
    ChallengeExpired,
    /// <summary>The secret recovered by ActivateCredential is wrong.</summary>
    ActivationFailed,
    /// <summary>The quote does not verify (signature, magic, type, nonce, selection or digest).</summary>
    QuoteInvalid,
    /// <summary>The PCR values are not allowed by the attestation policy.</summary>
    PcrPolicyViolation,
    /// <summary>The firmware event log does not replay to the quoted PCRs.</summary>
    EventLogMismatch,
    /// <summary>A measured component is not part of an allowed firmware release.</summary>
    MeasurementNotAllowed,
    /// <summary>The certify does not verify, or the key is not TPM-resident and non-exportable.</summary>
    CertifyInvalid,
    /// <summary>The CSR signature is invalid or its key is not the certified key.</summary>
    CsrInvalid,
    /// <summary>A renewal was not signed by the device's current key.</summary>
    RenewalNotAuthorized,
    /// <summary>The tenant, enrolment or device does not exist (or is not visible to the caller).</summary>
    NotFound,
    /// <summary>The operation conflicts with the resource's current state.</summary>
    Conflict,
    /// <summary>The caller is not authenticated.</summary>
    Unauthenticated,
    /// <summary>The caller's role does not allow the operation.</summary>
    Forbidden,
    /// <summary>The service cannot complete the request now (storage fault, shutdown); retry later.</summary>
    Unavailable,
    /// <summary>An unowned device that names no enrolment scope is admitted by enrolments of several tenants; it is given to none.</summary>
    AmbiguousOwner,
    /// <summary>A token request's proof is not signed by the device's current key, names another certificate, is stale or replayed.</summary>
    TokenProofInvalid,
    /// <summary>The device's group does not allow tokens for the requested audience.</summary>
    AudienceNotAllowed,
    /// <summary>The device fails a condition of its group's token policy (measured boot, minimum firmware, attestation age).</summary>
    TokenConditionsNotMet,
    /// <summary>
    /// The request (a renewal, a token) must ride on the device's authenticated session: reconnect with the device
    /// certificate and send it again. Enrolment-only sessions carry only register/attest of a first enrolment.
    /// </summary>
    AuthenticationRequired,
}
