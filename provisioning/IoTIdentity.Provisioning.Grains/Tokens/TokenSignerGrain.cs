using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Certificates;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>
/// Signs a tenant's device tokens (ES256, <c>kid</c> and <c>typ</c> in the header) with the current token key, which each
/// activation keeps loaded; before each token it asks the tenant's authority for the current key id (an interleaved read),
/// so a rotation takes effect at once, in every activation.
/// </summary>
[StatelessWorker]
public sealed class TokenSignerGrain(
    TenantCertificateAuthority authority,
    IOptions<ProvisioningOptions> options) : Grain, ITokenSignerGrain
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private ECDsa? _key;
    private SigningCredentials? _credentials;

    public async Task<string> SignAsync(TokenClaims claims)
    {
        var tenantId = this.GetPrimaryKeyString();
        var credentials = await CredentialsAsync(tenantId);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = TokenIssuers.Issuer(options.Value.PublicBaseUrl, tenantId),
            Audience = claims.Audience,
            IssuedAt = claims.IssuedAt.UtcDateTime,
            NotBefore = claims.IssuedAt.UtcDateTime,
            Expires = claims.ExpiresAt.UtcDateTime,
            TokenType = "JWT",
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = claims.Subject,
                [JwtRegisteredClaimNames.Jti] = claims.TokenId,
                [DeviceTokenClaims.Tenant] = tenantId,
                [DeviceTokenClaims.Group] = claims.GroupId,
                [DeviceTokenClaims.DeviceId] = claims.DeviceId,
                [DeviceTokenClaims.AttestedAt] = claims.AttestedAt.ToUnixTimeSeconds(),
                [DeviceTokenClaims.Scope] = string.Join(' ', claims.Scopes),
                [DeviceTokenClaims.Confirmation] = new Dictionary<string, object> { [DeviceTokenClaims.CertificateThumbprint] = claims.CertificateThumbprint },
            },
        };
        if (claims.FirmwareRelease is { } firmware) descriptor.Claims[DeviceTokenClaims.Firmware] = firmware;
        if (claims.CertificateSerial is { } serial) descriptor.Claims[DeviceTokenClaims.CertificateSerial] = serial;
        return Handler.CreateToken(descriptor);
    }

    private async Task<SigningCredentials> CredentialsAsync(string tenantId)
    {
        var keys = GrainFactory.GetGrain<ITokenAuthorityGrain>(tenantId);
        if (_credentials is not null && await keys.GetCurrentKeyIdAsync() == _credentials.Key.KeyId) return _credentials;
        var current = await keys.GetSigningKeyAsync() ?? throw new InvalidOperationException($"tenant {tenantId} does not exist");
        _key?.Dispose();
        _key = authority.OpenTokenSigningKey(tenantId, current.ProtectedPrivateKey);
        _credentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = current.KeyId }, SecurityAlgorithms.EcdsaSha256);
        return _credentials;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _key?.Dispose();
        return Task.CompletedTask;
    }
}
