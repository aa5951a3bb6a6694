using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>The durable state of one tenant's monitoring (grain key = tenantId).</summary>
[GenerateSerializer, Immutable]
public sealed record MonitorState
{
    [Id(0)] public MonitoringPolicy Policy { get; init; } = new();
    /// <summary>The findings, oldest first (resolved ones beyond <see cref="FindingBook.MaxFindings"/> are dropped oldest first).</summary>
    [Id(1)] public ImmutableList<Finding> Findings { get; init; } = [];
    [Id(2)] public long NextFindingNumber { get; init; } = 1;
    [Id(3)] public ImmutableList<WebhookEndpoint> Webhooks { get; init; } = [];
    /// <summary>The most recent deliveries, oldest first (at most <see cref="MaxDeliveries"/>).</summary>
    [Id(4)] public ImmutableList<WebhookDelivery> Deliveries { get; init; } = [];
    /// <summary>When automatic actions were taken, within the policy's action interval (for the cap).</summary>
    [Id(5)] public ImmutableList<DateTimeOffset> ActionTimes { get; init; } = [];

    /// <summary>How many deliveries the log keeps.</summary>
    public const int MaxDeliveries = 200;
}
