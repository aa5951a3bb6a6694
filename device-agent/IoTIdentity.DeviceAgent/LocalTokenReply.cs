using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.DeviceAgent;

/// <summary>The token socket's answer, one JSON line: the token, or why there is none.</summary>
public sealed record LocalTokenReply
{
    /// <summary>The JWT.</summary>
    public string? Token { get; init; }

    /// <summary>Its expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The scopes it carries.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>Why there is no token: the service's refusal reason, or what the agent lacks.</summary>
    public string? Error { get; init; }

    /// <summary>The reply for an issued token.</summary>
    public static LocalTokenReply From(TokenResponse response) => new() { Token = response.Token, ExpiresAt = response.ExpiresAt, Scopes = response.Scopes };
}
