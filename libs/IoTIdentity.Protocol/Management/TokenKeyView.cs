namespace IoTIdentity.Protocol.Management;

/// <summary>One of the tenant's token signing keys (public facts only): its key id and, once rotated out, until when it is published.</summary>
/// <param name="KeyId">The <c>kid</c> (RFC 7638 thumbprint).</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="RetiredAt">When a newer key replaced it; null for the current key.</param>
/// <param name="PublishedUntil">Until when the JWKS still lists it.</param>
/// <param name="Status"><c>current</c> (signs now), <c>next</c> (published, signs after the next rotation) or <c>retired</c>.</param>
public sealed record TokenKeyView(string KeyId, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt, DateTimeOffset? PublishedUntil, string Status);
