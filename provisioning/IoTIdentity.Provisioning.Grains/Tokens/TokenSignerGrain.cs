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
/// activation keeps loaded and looks up again after a minute, so a rotation takes effect within that minute (the old key
/// stays published long after).
/// </summary>
[StatelessWorker]
public sealed class TokenSignerGrain(
    TenantCertificateAuthority authority,
    TimeProvider clock,
    IOptions<ProvisioningOptions> options) : Grain, ITokenSignerGrain
{
    private static readonly TimeSpan KeyCheck = TimeSpan.FromMinutes(1);
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private ECDsa? _key;
    private SigningCredentials? _credentials;
    private DateTimeOffset _checkedAt;

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
        return Handler.CreateToken(descriptor);
    }

    private async Task<SigningCredentials> CredentialsAsync(string tenantId)
    {
        if (_credentials is not null && clock.GetUtcNow() - _checkedAt < KeyCheck) return _credentials;
        var current = await GrainFactory.GetGrain<ITokenAuthorityGrain>(tenantId).GetSigningKeyAsync()
            ?? throw new InvalidOperationException($"tenant {tenantId} does not exist");
        if (_credentials?.Key.KeyId != current.KeyId)
        {
            _key?.Dispose();
            _key = authority.OpenTokenSigningKey(tenantId, current.ProtectedPrivateKey);
            _credentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = current.KeyId }, SecurityAlgorithms.EcdsaSha256);
        }
        _checkedAt = clock.GetUtcNow();
        return _credentials!;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _key?.Dispose();
        return Task.CompletedTask;
    }
}
