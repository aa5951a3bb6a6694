namespace IoTIdentity.Protocol.Management;

/// <summary><c>POST /api/v1/api-keys</c> (owner-admin).</summary>
/// <param name="Name">What to call the key (at most 100 characters).</param>
/// <param name="Role"><c>Auditor</c>, <c>Operator</c> or <c>OwnerAdmin</c> (case-insensitive).</param>
public sealed record CreateApiKeyRequest(string? Name, string? Role);
