namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>One delivery of a finding to a webhook endpoint, as it ended (after its retries).</summary>
[GenerateSerializer, Immutable]
public sealed record WebhookDelivery
{
    [Id(0)] public required string EndpointId { get; init; }
    [Id(1)] public required string FindingId { get; init; }
    /// <summary>The id the receiver sees in <c>X-IoTId-Delivery</c> (the same on every attempt).</summary>
    [Id(2)] public required string DeliveryId { get; init; }
    [Id(3)] public required int Attempts { get; init; }
    /// <summary>The last HTTP status, or null when no answer came (connection refused, timeout).</summary>
    [Id(4)] public int? StatusCode { get; init; }
    [Id(5)] public required bool Delivered { get; init; }
    /// <summary>Why the last attempt failed, when it did.</summary>
    [Id(6)] public string? Error { get; init; }
    [Id(7)] public required DateTimeOffset At { get; init; }
}
