namespace IoTIdentity.Simulator.Reporting;

/// <summary>The finding the service opened for one misbehaviour of the adversarial run, as its API showed it.</summary>
/// <param name="Misbehaviour">The misbehaviour's name.</param>
/// <param name="FindingId">The finding's id in the tenant (<c>f-…</c>).</param>
/// <param name="Kind">The finding kind.</param>
/// <param name="Severity">Its severity.</param>
/// <param name="Remediation">What the service did on its own (<c>alert</c>, <c>quarantine</c>, <c>revoke</c>, <c>capped</c>).</param>
/// <param name="Devices">The devices it names.</param>
/// <param name="Evidence">The facts the detector decided on.</param>
/// <param name="AuditEntries">How many audit entries it links to.</param>
/// <param name="SecondsToFinding">From the end of the misbehaviour until the finding showed in the API.</param>
/// <param name="Webhook">What the phase's receiver made of the finding's webhook: <c>signed</c> (HMAC and timestamp verified), why not, <c>none</c>, or <c>not reachable</c> (a remote target cannot reach the simulator's loopback).</param>
public sealed record DetectedFinding(string Misbehaviour, string FindingId, string Kind, string Severity, string Remediation, IReadOnlyList<string> Devices,
    IReadOnlyDictionary<string, string> Evidence, int AuditEntries, double SecondsToFinding, string Webhook);
