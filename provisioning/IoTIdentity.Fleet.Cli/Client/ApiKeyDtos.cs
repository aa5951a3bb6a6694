// The API key shapes of the management API contract (issue 5).
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>An API key as listed: never its secret.</summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="Name">What its owner called it.</param>
/// <param name="Role">owner-admin, operator or auditor (as the service spells it).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="LastUsedAt">When it last authenticated a call.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record ApiKeyView(string KeyId, string? Name, string Role, DateTimeOffset? CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary><c>POST /api/v1/api-keys</c>.</summary>
/// <param name="Name">What to call the key.</param>
/// <param name="Role">Its role.</param>
public sealed record CreateApiKeyRequest(string Name, string Role);

/// <summary>A new API key: the whole key is shown this once.</summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="Key">The key itself.</param>
/// <param name="Role">Its role.</param>
public sealed record CreatedApiKey(string KeyId, string Key, string Role);
