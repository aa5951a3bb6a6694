using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>The JSON body of a webhook: the finding as it was when the delivery was queued, and its tenant.</summary>
public sealed record WebhookPayload(string Event, string TenantId, string FindingId, FindingKind Kind, FindingSeverity Severity, FindingState State,
    ImmutableList<string> Devices, ImmutableSortedDictionary<string, string> Evidence, ImmutableList<long> AuditSequences,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Count, string Remediation)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The payload announcing <paramref name="finding"/> of <paramref name="tenantId"/>.</summary>
    public static WebhookPayload Opened(string tenantId, Finding finding) => new("finding.opened", tenantId, finding.Id, finding.Kind, finding.Severity,
        finding.State, finding.Devices, finding.Evidence, finding.AuditSequences, finding.FirstSeen, finding.LastSeen, finding.Count, finding.Remediation);

    /// <summary>The body's bytes (UTF-8 JSON, camelCase, enums as names).</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}
