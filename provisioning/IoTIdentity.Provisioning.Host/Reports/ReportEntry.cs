namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>One audit entry as a report cites it: a policy change or an action taken, with who did it and when.</summary>
/// <param name="Sequence">The entry's place in the tenant's audit log (its proof: the chain covers it).</param>
/// <param name="At">When it happened.</param>
/// <param name="Action">The audit action (e.g. <c>group-update</c>, <c>remediation</c>).</param>
/// <param name="Subject">What it was done to.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Actor">Who did it (an API key id, <c>system</c>, …).</param>
/// <param name="Details">What changed, as <c>key=value</c> pairs in key order, separated by <c>; </c>.</param>
public sealed record ReportEntry(long Sequence, DateTimeOffset At, string Action, string Subject, string Outcome, string Actor, string Details);
