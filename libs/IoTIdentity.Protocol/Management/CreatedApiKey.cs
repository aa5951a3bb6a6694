namespace IoTIdentity.Protocol.Management;

/// <summary>A new API key: the whole key string is shown this once.</summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="Key">The key itself (<c>iotid.{tenant}.{keyId}.{secret}</c>).</param>
/// <param name="Role">Its role: <c>Auditor</c>, <c>Operator</c> or <c>OwnerAdmin</c>.</param>
public sealed record CreatedApiKey(string KeyId, string Key, string Role);
