namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>
/// Where a tenant's findings are sent: an HTTPS (or, in development, loopback HTTP) URL, signed with the endpoint's
/// own secret. The secret is written once and never read back through the API.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WebhookEndpoint
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required Uri Url { get; init; }
    /// <summary>The HMAC-SHA256 key (at least 32 bytes).</summary>
    [Id(2)] public required byte[] Secret { get; init; }
    /// <summary>Only findings at least this severe are sent.</summary>
    [Id(3)] public FindingSeverity MinimumSeverity { get; init; } = FindingSeverity.Low;
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }
}
