namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>What a detector saw. The names travel in the API, webhooks, metrics and the monitoring policy.</summary>
public enum FindingKind
{
    /// <summary>One device (one TPM key) active from two sessions or two addresses at once, or renewing with a certificate that is not its current one.</summary>
    CloneSuspected,

    /// <summary>Attestations of one enrolment group failing for one reason above the policy's rate.</summary>
    AttestationFailures,

    /// <summary>A device's PCRs changed while it reported the same firmware release.</summary>
    FirmwareDrift,

    /// <summary>A device attested with an older release of the same product than before.</summary>
    FirmwareDowngrade,

    /// <summary>A revoked or disabled device that keeps asking for a certificate.</summary>
    RevokedDeviceRetrying,

    /// <summary>More first enrolments in one enrolment group (one vendor root's devices) than the policy's rate.</summary>
    EnrollmentBurst,

    /// <summary>An active device silent past its renewal time.</summary>
    StaleDevice,

    /// <summary>An active device whose certificate expires within the policy's horizon without having been renewed.</summary>
    ExpiringBeforeRenewal,
}
