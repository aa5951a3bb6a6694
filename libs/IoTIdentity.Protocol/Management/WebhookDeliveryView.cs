namespace IoTIdentity.Protocol.Management;

/// <summary>How one webhook delivery ended (<c>GET /api/v1/webhooks/deliveries</c>), newest first.</summary>
public sealed record WebhookDeliveryView(string EndpointId, string FindingId, string DeliveryId, int Attempts, int? StatusCode, bool Delivered,
    string? Error, DateTimeOffset At);
