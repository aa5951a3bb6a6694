using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// Every action the audit log records, by name: the protocol steps and their refusals, what operators do to devices,
/// transfers, and configuration changes (with who made them and what changed). The audit API accepts only these names
/// as a filter, so a misspelt one is an error rather than an empty answer.
/// </summary>
public static class AuditActions
{
    /// <summary>A <c>register</c> request: challenged, or refused.</summary>
    public const string Register = Topics.Operations.Register;

    /// <summary>An <c>attest</c> request: a certificate issued, or refused.</summary>
    public const string Attest = Topics.Operations.Attest;

    /// <summary>An operator disabled a device.</summary>
    public const string Disable = "disable";

    /// <summary>An operator enabled a device again.</summary>
    public const string Enable = "enable";

    /// <summary>An operator revoked a device.</summary>
    public const string Revoke = "revoke";

    /// <summary>An operator asked a device to attest again.</summary>
    public const string Reattest = "reattest";

    /// <summary>An operator revoked one certificate of a device.</summary>
    public const string RevokeCertificate = "revoke-certificate";

    /// <summary>A device's compliance changed with its group's firmware policy.</summary>
    public const string FirmwarePolicy = "firmware-policy";

    /// <summary>The owner changed a device's tags (before and after).</summary>
    public const string DeviceTags = "device-tags";

    /// <summary>A transfer was created.</summary>
    public const string TransferCreate = "transfer-create";

    /// <summary>A transfer was accepted by its target.</summary>
    public const string TransferAccept = "transfer-accept";

    /// <summary>A transfer was cancelled by its source.</summary>
    public const string TransferCancel = "transfer-cancel";

    /// <summary>A transfer expired before it was accepted.</summary>
    public const string TransferExpire = "transfer-expire";

    /// <summary>A transfer finished.</summary>
    public const string TransferComplete = "transfer-complete";

    /// <summary>A device's ownership record was signed over to the target.</summary>
    public const string TransferHandover = "transfer-handover";

    /// <summary>A transferred device enrolled with its new owner.</summary>
    public const string TransferReenrolled = "transfer-reenrolled";

    /// <summary>The old owner's certificates of a transferred device were revoked.</summary>
    public const string TransferRevoke = "transfer-revoke";

    /// <summary>A transferred device's sessions under the old owner were closed.</summary>
    public const string TransferCutoff = "transfer-cutoff";

    /// <summary>The service administrator created the tenant (name, quota, own CA or not).</summary>
    public const string TenantCreate = "tenant-create";

    /// <summary>The tenant's device quota changed (before and after).</summary>
    public const string TenantQuota = "tenant-quota";

    /// <summary>The tenant-wide manufacturer roots changed (fingerprints and subjects added and removed).</summary>
    public const string TenantManufacturerRoots = "tenant-manufacturer-roots";

    /// <summary>A manufacturer root became trusted, by a group or tenant-wide; the subject is its SHA-256 fingerprint.</summary>
    public const string RootTrusted = "root-trusted";

    /// <summary>A manufacturer root stopped being trusted, by a group or tenant-wide; the subject is its SHA-256 fingerprint.</summary>
    public const string RootUntrusted = "root-untrusted";

    /// <summary>An API key was created (its id, role and name; never the secret).</summary>
    public const string ApiKeyCreate = "api-key-create";

    /// <summary>An API key was revoked.</summary>
    public const string ApiKeyRevoke = "api-key-revoke";

    /// <summary>An enrolment group was created (its trusted roots, PCR and firmware policy, quota).</summary>
    public const string GroupCreate = "group-create";

    /// <summary>An enrolment group changed (each setting that changed, before and after; roots added and removed).</summary>
    public const string GroupUpdate = "group-update";

    /// <summary>An enrolment group was deleted.</summary>
    public const string GroupDelete = "group-delete";

    /// <summary>An individual enrolment was created or changed.</summary>
    public const string IndividualEnrollmentSet = "individual-enrollment-set";

    /// <summary>An individual enrolment was deleted.</summary>
    public const string IndividualEnrollmentDelete = "individual-enrollment-delete";

    /// <summary>Two device ids of one TPM were linked (by their EK certificates, or by an operator).</summary>
    public const string Link = "link";

    /// <summary>An operator removed the link between two device ids.</summary>
    public const string Unlink = "unlink";

    /// <summary>Monitoring (or an operator) quarantined a device: renewals and tokens refused until released.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>An operator released a quarantined device.</summary>
    public const string QuarantineRelease = "quarantine-release";

    /// <summary>A monitoring finding was opened, acknowledged or resolved.</summary>
    public const string Finding = "finding";

    /// <summary>Monitoring acted on a finding (quarantine, revoke), or only alerted because its cap was reached.</summary>
    public const string Remediation = "remediation";

    /// <summary>The tenant's monitoring policy changed.</summary>
    public const string MonitoringPolicy = "monitoring-policy";

    /// <summary>A webhook endpoint was set or deleted.</summary>
    public const string Webhook = "webhook";

    /// <summary>A device asked for a token: issued, or refused.</summary>
    public const string Token = Topics.Operations.Token;

    /// <summary>A group's token policy was set (audiences, scopes, conditions, lifetimes).</summary>
    public const string TokenPolicySet = "token-policy-set";

    /// <summary>A group's token policy was deleted: its devices get no more tokens.</summary>
    public const string TokenPolicyDelete = "token-policy-delete";

    /// <summary>The tenant's token signing key was rotated.</summary>
    public const string TokenKeyRotate = "token-key-rotate";

    /// <summary>A federation relationship was created or changed.</summary>
    public const string FederationSet = "federation-set";

    /// <summary>A federation relationship was removed.</summary>
    public const string FederationRemove = "federation-remove";

    /// <summary>The tenant's issuing CA was rotated (the old one is kept for its CRL until its certificates expire).</summary>
    public const string TenantCaRotate = "tenant-ca-rotate";

    /// <summary>A manufacturer-signed ownership voucher was accepted for the tenant, or refused because the device is not free to claim.</summary>
    public const string OwnershipVoucherSet = "ownership-voucher-set";

    /// <summary>The tenant withdrew its ownership voucher for a device.</summary>
    public const string OwnershipVoucherDelete = "ownership-voucher-delete";

    /// <summary>Every action, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Register, Attest, Disable, Enable, Revoke, RevokeCertificate, FirmwarePolicy, DeviceTags,
        TransferCreate, TransferAccept, TransferCancel, TransferExpire, TransferComplete, TransferHandover, TransferReenrolled, TransferRevoke, TransferCutoff,
        TenantCreate, TenantQuota, TenantManufacturerRoots, RootTrusted, RootUntrusted, ApiKeyCreate, ApiKeyRevoke,
        GroupCreate, GroupUpdate, GroupDelete, IndividualEnrollmentSet, IndividualEnrollmentDelete,
        Link, Unlink, Quarantine, QuarantineRelease, Finding, Remediation, MonitoringPolicy, Webhook,
        Token, TokenPolicySet, TokenPolicyDelete, TokenKeyRotate, FederationSet, FederationRemove,
        Reattest, TenantCaRotate, OwnershipVoucherSet, OwnershipVoucherDelete,
    ];
}
