namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The tenant's audit log as checked for the report: whether its hash chain holds from the first entry to the
/// last, and the service's signed checkpoint of its head, which anyone with the checkpoint key can check an export against.
/// </summary>
/// <param name="Intact">Whether every entry chains on from the one before.</param>
/// <param name="EntriesChecked">How many entries were checked.</param>
/// <param name="FirstBrokenSequence">Where the chain first breaks, if it does.</param>
/// <param name="Problem">Why it breaks there, if it does.</param>
/// <param name="EntriesInPeriod">How many entries fall in the period.</param>
/// <param name="Checkpoint">The signed checkpoint of the head, when one could be made.</param>
public sealed record ReportAuditChain(bool Intact, long EntriesChecked, long? FirstBrokenSequence, string? Problem, long EntriesInPeriod, ReportCheckpoint? Checkpoint);
