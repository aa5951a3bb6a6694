namespace IoTIdentity.Protocol.Management;

/// <summary>The (optional) body of a revocation, of a device or of one certificate.</summary>
/// <param name="Reason">An RFC 5280 CRLReason name (<c>keyCompromise</c>, <c>superseded</c>, …); null for unspecified.</param>
public sealed record RevokeRequest(string? Reason);
