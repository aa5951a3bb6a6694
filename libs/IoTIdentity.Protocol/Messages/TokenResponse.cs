namespace IoTIdentity.Protocol.Messages;

/// <summary>The issued token: a compact JWS (ES256) and when it expires.</summary>
public sealed record TokenResponse
{
    /// <summary>The JWT (compact serialization).</summary>
    public required string Token { get; init; }

    /// <summary>Its <c>exp</c>.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The scopes it carries (space-separated in the token's <c>scope</c> claim).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
}
