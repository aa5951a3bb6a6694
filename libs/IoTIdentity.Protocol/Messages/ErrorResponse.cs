namespace IoTIdentity.Protocol.Messages;

/// <summary>A refusal: the reason from the closed list, a terse message, and when to retry if that can help.</summary>
public sealed record ErrorResponse
{
    /// <summary>The reason.</summary>
    public required ProvisioningError Error { get; init; }

    /// <summary>A short, peer-safe description (detail stays in the service's logs).</summary>
    public string? Message { get; init; }

    /// <summary>For transient errors: seconds to wait before retrying.</summary>
    public int? RetryAfterSeconds { get; init; }
}
