namespace IoTIdentity.Protocol.Management;

/// <summary><c>POST /api/v1/webhooks</c> (owner-admin): where to send findings.</summary>
/// <param name="Url">An absolute https URL (http only to a loopback address).</param>
/// <param name="MinimumSeverity">Low (default), Medium, High or Critical.</param>
public sealed record CreateWebhookRequest(string? Url, string? MinimumSeverity = null);
