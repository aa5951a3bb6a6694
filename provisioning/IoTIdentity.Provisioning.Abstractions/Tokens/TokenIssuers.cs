namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>
/// Where a tenant's token issuer lives: <c>{publicBaseUrl}/tenants/{tenantId}</c>, with its discovery document at
/// <c>{issuer}/.well-known/openid-configuration</c> and its JWKS at <c>{issuer}/jwks.json</c>. One rule for the signer,
/// the API and the docs.
/// </summary>
public static class TokenIssuers
{
    /// <summary>The issuer URL (<c>iss</c>) of <paramref name="tenantId"/>.</summary>
    public static string Issuer(string publicBaseUrl, string tenantId) => $"{publicBaseUrl.TrimEnd('/')}/tenants/{tenantId}";

    /// <summary>The device's URI, the <c>sub</c> of its tokens (the URI SAN of its certificate).</summary>
    public static string Subject(string deviceId) => Certificates.DeviceCertificateIssuer.DeviceUriPrefix + deviceId;
}
