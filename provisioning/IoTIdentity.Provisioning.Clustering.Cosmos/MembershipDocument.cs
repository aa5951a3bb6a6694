using System.Text.Json.Serialization;

namespace IoTIdentity.Provisioning.Clustering.Cosmos;

/// <summary>
/// One cluster's whole membership table as one Cosmos item (container <c>membership</c>, <c>pk</c> = cluster id,
/// <c>id</c> = <c>"table"</c>): the table version, its own ETag, and every silo's row with the row's ETag. Every
/// change replaces the item with <c>If-Match</c> on the item's <c>_etag</c>, so a row and the table version change
/// together or not at all.
/// </summary>
internal sealed record MembershipDocument
{
    /// <summary>The item id: one item per cluster.</summary>
    public const string ItemId = "table";

    [JsonPropertyName("id")] public string Id { get; init; } = ItemId;

    /// <summary>The partition key: the cluster id.</summary>
    [JsonPropertyName("pk")] public required string ClusterId { get; init; }

    /// <summary>The table version Orleans last wrote.</summary>
    [JsonPropertyName("version")] public int Version { get; init; }

    /// <summary>A fresh random value whenever <see cref="Version"/> is written; Orleans' <c>TableVersion.VersionEtag</c>.</summary>
    [JsonPropertyName("versionEtag")] public required string VersionEtag { get; init; }

    /// <summary>One row per silo incarnation (address and generation).</summary>
    [JsonPropertyName("rows")] public IReadOnlyList<MembershipRow> Rows { get; init; } = [];

    /// <summary>The Cosmos item ETag (read only; sent back as <c>If-Match</c>).</summary>
    [JsonPropertyName("_etag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ItemEtag { get; init; }
}

/// <summary>One silo's row: Orleans' <c>MembershipEntry</c> and the row's own ETag.</summary>
internal sealed record MembershipRow
{
    /// <summary><c>SiloAddress.ToParsableString()</c>: endpoint and generation.</summary>
    [JsonPropertyName("silo")] public required string Silo { get; init; }

    /// <summary>A fresh random value whenever the row is written.</summary>
    [JsonPropertyName("etag")] public required string Etag { get; init; }

    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("suspectTimes")] public IReadOnlyList<MembershipSuspicion>? SuspectTimes { get; init; }
    [JsonPropertyName("proxyPort")] public int ProxyPort { get; init; }
    [JsonPropertyName("hostName")] public string? HostName { get; init; }
    [JsonPropertyName("siloName")] public string? SiloName { get; init; }
    [JsonPropertyName("roleName")] public string? RoleName { get; init; }
    [JsonPropertyName("updateZone")] public int UpdateZone { get; init; }
    [JsonPropertyName("faultZone")] public int FaultZone { get; init; }
    [JsonPropertyName("startTime")] public DateTime StartTime { get; init; }
    [JsonPropertyName("iAmAliveTime")] public DateTime IAmAliveTime { get; init; }
}

/// <summary>One vote that a silo is dead: who suspected it and when.</summary>
internal sealed record MembershipSuspicion(
    [property: JsonPropertyName("silo")] string Silo,
    [property: JsonPropertyName("at")] DateTime At);
