namespace IoTIdentity.Protocol.Management;

/// <summary>The answer of <c>POST /api/v1/key-encryption/rewrap</c>: every tenant's sealed keys resealed under the current key-encryption key.</summary>
/// <param name="CurrentKeyId">The key every envelope is now sealed with.</param>
/// <param name="Tenants">How many tenants were visited.</param>
/// <param name="KeysResealed">How many envelopes were sealed by an older key and are now resealed (0 on a repeat).</param>
public sealed record KeyRewrapResult(string CurrentKeyId, int Tenants, int KeysResealed);
