namespace IoTIdentity.Protocol.Management;

/// <summary>A webhook endpoint as listed (never its secret).</summary>
public sealed record WebhookView(string Id, string Url, string MinimumSeverity, DateTimeOffset CreatedAt);
