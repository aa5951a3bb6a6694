using System.Text.Json.Serialization;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

// The stored shapes. Internal and only serialized by this assembly (System.Text.Json through the stream APIs);
// kept together because each is a few properties and they only make sense side by side.
// Ticks are written as strings: JSON numbers in Cosmos DB (and in the JavaScript test server) are IEEE doubles,
// exact only up to 2^53, and UTC ticks are around 6.4 × 10^17.

/// <summary>A state document: one per partition <c>kind ␟ key</c>, id <c>"state"</c>.</summary>
internal sealed record StateItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("data")] string Data);

/// <summary>A claim: one per partition <c>scope ␟ value</c>, id <c>"claim"</c>.</summary>
internal sealed record ClaimItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("owner")] string Owner);

/// <summary>An inventory record in its tenant's partition.</summary>
internal sealed record DeviceItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("tenantId")] string TenantId,
    [property: JsonPropertyName("deviceId")] string DeviceId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("firmware")] string? Firmware,
    [property: JsonPropertyName("certificateSerial")] string? CertificateSerial,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] [property: JsonPropertyName("certificateNotAfterTicks")] long? CertificateNotAfterTicks,
    [property: JsonPropertyName("compliant")] bool Compliant,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] [property: JsonPropertyName("updatedTicks")] long UpdatedTicks,
    [property: JsonPropertyName("groupId")] string? GroupId,
    [property: JsonPropertyName("tags")] string[]? Tags,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] [property: JsonPropertyName("lastSeenTicks")] long? LastSeenTicks,
    [property: JsonPropertyName("connected")] bool Connected,
    [property: JsonPropertyName("links")] string[]? Links = null,
    [property: JsonPropertyName("indexed")] bool Indexed = false)
{
    /// <summary>An item as this build writes it: with every field the inventory is filtered by (<c>indexed</c>); items
    /// written before the group, tags and presence existed lack the property and are listed for re-indexing.</summary>
    public static DeviceItem From(DeviceRecord device) => new(
        CosmosIds.DeviceItemId(device.DeviceId), device.TenantId, device.TenantId, device.DeviceId, device.State,
        device.Firmware, device.CertificateSerial, device.CertificateNotAfter?.UtcTicks, device.Compliant,
        device.UpdatedAt.UtcTicks, device.GroupId, [.. device.Tags], device.LastSeenAt?.UtcTicks, device.Connected, [.. device.Links],
        Indexed: true);

    public DeviceRecord ToRecord() => new(
        TenantId, DeviceId, State, Firmware, CertificateSerial,
        CertificateNotAfterTicks is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
        Compliant, new DateTimeOffset(UpdatedTicks, TimeSpan.Zero), GroupId, Tags ?? [],
        LastSeenTicks is { } seen ? new DateTimeOffset(seen, TimeSpan.Zero) : null, Connected, Links ?? []);
}

/// <summary>An audit entry in its tenant's partition, id = the sequence in 20 digits.</summary>
internal sealed record AuditItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("tenantId")] string TenantId,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("evidenceDigest")] string? EvidenceDigest,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] [property: JsonPropertyName("atTicks")] long AtTicks,
    [property: JsonPropertyName("details")] Dictionary<string, string>? Details,
    [property: JsonPropertyName("previousHash")] string PreviousHash,
    [property: JsonPropertyName("hash")] string Hash)
{
    public static AuditItem From(AuditEntry entry)
    {
        var e = entry.Event;
        return new(
            CosmosIds.AuditId(entry.Sequence), entry.TenantId, entry.TenantId, entry.Sequence, e.Action, e.Subject,
            e.Outcome, e.EvidenceDigest, e.Actor, e.At.UtcTicks,
            e.Details is null ? null : new Dictionary<string, string>(e.Details, StringComparer.Ordinal),
            entry.PreviousHash, entry.Hash);
    }

    public AuditEntry ToEntry() => new(
        TenantId, Sequence,
        new AuditEvent
        {
            Action = Action,
            Subject = Subject,
            Outcome = Outcome,
            EvidenceDigest = EvidenceDigest,
            Actor = Actor,
            At = new DateTimeOffset(AtTicks, TimeSpan.Zero),
            Details = Details is null ? null : new SortedDictionary<string, string>(Details, StringComparer.Ordinal),
        },
        PreviousHash, Hash);
}

/// <summary>The newest audit entry's sequence and hash (the append's projection).</summary>
internal sealed record AuditHead(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("hash")] string Hash);

/// <summary>A device item's id alone (the re-indexing query's projection).</summary>
internal sealed record DeviceIdItem([property: JsonPropertyName("deviceId")] string DeviceId);
