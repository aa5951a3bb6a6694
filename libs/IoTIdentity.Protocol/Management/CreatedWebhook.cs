namespace IoTIdentity.Protocol.Management;

/// <summary>A new webhook endpoint: its signing secret (base64 of 32 random bytes) is shown this once.</summary>
public sealed record CreatedWebhook(string Id, string Url, string MinimumSeverity, string Secret);
