namespace IoTIdentity.Protocol.Messages;

/// <summary>
/// Step 3 over HTTPS with TLS client authentication — <c>POST /api/v1/device/token</c>: the device is authenticated by
/// the certificate it presents in the TLS handshake (its TPM-resident key signs the handshake), so the request itself
/// carries no proof; the token is bound to that certificate (<c>cnf.x5t#S256</c>).
/// </summary>
public sealed record CertificateTokenRequest
{
    /// <summary>The relying party the token is for (one of the group's allowed audiences).</summary>
    public required string Audience { get; init; }

    /// <summary>A shorter lifetime than the group's default, in seconds (the service caps it at the group's maximum).</summary>
    public int? LifetimeSeconds { get; init; }
}
