namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// What a compliance report says about one tenant for one period, as data: every rendering (HTML, PDF, CSV, JSON) is
/// drawn from this record alone, and its digest (<see cref="ComplianceReportJson.Digest"/>) is taken over it, so the same
/// data always gives the same digest. Nothing in it names the moment it was made.
/// </summary>
/// <param name="TenantId">The tenant the report is about.</param>
/// <param name="TenantName">The tenant's display name.</param>
/// <param name="From">The period's start (inclusive).</param>
/// <param name="To">The period's end (exclusive): the report's "as of" time.</param>
/// <param name="Inventory">Devices per lifecycle state at the period's end (<see cref="InventoryAsOf"/>).</param>
/// <param name="Certificates">Certificates issued, renewed and revoked in the period, and those expiring soon after it.</param>
/// <param name="Days">Per day of the period: certificates issued, renewed, revoked and requests refused.</param>
/// <param name="Policies">The attestation policy (enrolment group) versions in force at the period's end (<see cref="PoliciesAsOf"/>).</param>
/// <param name="PolicyChanges">Every change to attestation policy and trust in the period (who, when, what).</param>
/// <param name="Firmware">Firmware compliance of the fleet at the period's end, with the non-compliant devices.</param>
/// <param name="Findings">Monitoring findings seen in the period, each in the state it has when the report is read.</param>
/// <param name="Actions">What was done about them in the period: automatic remediation, quarantines, revocations, finding state changes.</param>
/// <param name="AuditChain">What of the audit log was verified, from the signed checkpoint before the period to the signed head.</param>
/// <param name="ApiKeys">The API keys that existed at the period's end, with their roles.</param>
public sealed record ComplianceReport(
    string TenantId,
    string TenantName,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<ReportCount> Inventory,
    ReportCertificates Certificates,
    IReadOnlyList<ReportDay> Days,
    IReadOnlyList<ReportPolicy> Policies,
    IReadOnlyList<ReportEntry> PolicyChanges,
    ReportFirmware Firmware,
    IReadOnlyList<ReportFinding> Findings,
    IReadOnlyList<ReportEntry> Actions,
    ReportAuditChain AuditChain,
    IReadOnlyList<ReportApiKey> ApiKeys)
{
    /// <summary>How many devices the inventory holds.</summary>
    public int DeviceCount => Inventory.Sum(c => c.Count);
}
