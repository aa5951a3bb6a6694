namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The tenant's audit log as checked for the report, in one pass: entries <see cref="FirstSequence"/> to
/// <see cref="LastSequence"/>, each linking to the one before it and hashing to what it stores. The first links to the
/// head of <see cref="Anchor"/> (the last signed checkpoint before the period), or to the genesis hash when it is entry 1;
/// the entry at <see cref="Checkpoint"/>'s size is the head that checkpoint signs. Entries before
/// <see cref="FirstSequence"/> were not read: the report claims nothing about them.
/// </summary>
/// <param name="Intact">Whether every entry checked links on and the signed head was met.</param>
/// <param name="FirstSequence">The first entry read and checked.</param>
/// <param name="LastSequence">The last entry that checked out.</param>
/// <param name="EntriesChecked">How many entries checked out.</param>
/// <param name="FirstBrokenSequence">Where the chain first breaks, if it does.</param>
/// <param name="Problem">Why it breaks there, if it does.</param>
/// <param name="EntriesInPeriod">How many entries fall in the period.</param>
/// <param name="Anchor">The signed checkpoint the first entry links to; null when the walk starts at entry 1 or no checkpoint before the period is kept.</param>
/// <param name="Checkpoint">The signed checkpoint of the head, when one could be made.</param>
public sealed record ReportAuditChain(
    bool Intact, long FirstSequence, long LastSequence, long EntriesChecked, long? FirstBrokenSequence, string? Problem, long EntriesInPeriod,
    ReportCheckpoint? Anchor, ReportCheckpoint? Checkpoint);
