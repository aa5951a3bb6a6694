namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>Signs a tenant's device tokens (key = tenantId) with its current token key, which each activation keeps loaded.</summary>
public interface ITokenSignerGrain : IGrainWithStringKey
{
    /// <summary>The compact JWS (ES256, key id in the header) of <paramref name="claims"/> under the tenant's issuer.</summary>
    Task<string> SignAsync(TokenClaims claims);
}
