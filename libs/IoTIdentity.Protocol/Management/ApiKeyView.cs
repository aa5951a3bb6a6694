namespace IoTIdentity.Protocol.Management;

/// <summary>An API key as listed: never its secret.</summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="Name">What its owner called it.</param>
/// <param name="Role"><c>Auditor</c>, <c>Operator</c> or <c>OwnerAdmin</c>.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="LastUsedAt">When it last authenticated a call (updated at most once a minute).</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record ApiKeyView(string KeyId, string? Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
