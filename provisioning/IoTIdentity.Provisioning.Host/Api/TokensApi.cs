using System.Text.Json;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Device tokens at the HTTP edge: each tenant's issuer metadata and JWKS (public, like the CRL), its token keys and
/// their rotation, each group's token policy, and RFC 7662 introspection for relying parties (see docs/tokens.md).
/// </summary>
public static class TokensApi
{
    /// <summary>
    /// Maps <c>/tenants/{tenantId}/.well-known/openid-configuration</c>, <c>/tenants/{tenantId}/jwks.json</c>,
    /// <c>/api/v1/token-keys</c>, <c>/api/v1/enrollment-groups/{groupId}/token-policy</c> and <c>/api/v1/tokens/introspect</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/tenants/{tenantId}/.well-known/openid-configuration", Discovery).WithTags("Tokens");
        routes.MapGet("/tenants/{tenantId}/jwks.json", Jwks).WithTags("Tokens");
        routes.MapGet("/api/v1/token-keys", ListKeys).RequireApiKey(ApiRole.Auditor).WithTags("Tokens");
        routes.MapPost("/api/v1/token-keys/rotate", Rotate).RequireApiKey(ApiRole.OwnerAdmin).WithTags("Tokens");
        var policy = routes.MapGroup("/api/v1/enrollment-groups/{groupId}/token-policy").WithTags("Tokens");
        policy.MapGet("/", GetPolicy).RequireApiKey(ApiRole.Auditor);
        policy.MapPut("/", PutPolicy).RequireApiKey(ApiRole.OwnerAdmin);
        policy.MapDelete("/", DeletePolicy).RequireApiKey(ApiRole.OwnerAdmin);
        routes.MapPost("/api/v1/tokens/introspect", Introspect).RequireApiKey(ApiRole.Auditor).DisableAntiforgery().WithTags("Tokens");
        return routes;
    }

    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, ProblemHttpResult>> Discovery(string tenantId, IGrainFactory grains, IOptions<ProvisioningOptions> options)
    {
        if (!TenantIds.IsValid(tenantId) || !await grains.GetGrain<ITenantGrain>(tenantId).ExistsAsync()) return Problems.For(ProvisioningError.NotFound);
        var baseUrl = options.Value.PublicBaseUrl.TrimEnd('/');
        var issuer = TokenIssuers.Issuer(baseUrl, tenantId);
        return TypedResults.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = $"{issuer}/jwks.json",
            ["introspection_endpoint"] = $"{baseUrl}/api/v1/tokens/introspect",
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.EcdsaSha256 },
            ["token_endpoint_auth_signing_alg_values_supported"] = new[] { SecurityAlgorithms.EcdsaSha256 },
            ["response_types_supported"] = new[] { "token" },
            ["subject_types_supported"] = new[] { "public" },
            ["claims_supported"] = new[]
            {
                "iss", "sub", "aud", "iat", "nbf", "exp", "jti", DeviceTokenClaims.Tenant, DeviceTokenClaims.Group, DeviceTokenClaims.DeviceId,
                DeviceTokenClaims.Firmware, DeviceTokenClaims.AttestedAt, DeviceTokenClaims.Scope, DeviceTokenClaims.Confirmation, DeviceTokenClaims.CertificateSerial,
            },
            ["tls_client_certificate_bound_access_tokens"] = true,
        });
    }

    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, ProblemHttpResult>> Jwks(string tenantId, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(tenantId) || !await grains.GetGrain<ITenantGrain>(tenantId).ExistsAsync()) return Problems.For(ProvisioningError.NotFound);
        // a tenant that never issued a token still publishes the key it will sign with
        await grains.GetGrain<ITokenAuthorityGrain>(tenantId).GetSigningKeyAsync();
        var keys = await grains.GetGrain<ITokenAuthorityGrain>(tenantId).GetPublishedKeysAsync();
        return TypedResults.Json(new Dictionary<string, object> { ["keys"] = keys.Select(k => TokenKeys.Jwk(k)).ToList() });
    }

    private static async Task<Ok<IReadOnlyList<TokenKeyView>>> ListKeys(HttpContext http, IGrainFactory grains)
    {
        var authority = grains.GetGrain<ITokenAuthorityGrain>(Caller.Of(http).TenantId);
        await authority.GetSigningKeyAsync();
        IReadOnlyList<TokenKeyView> keys = (await authority.GetPublishedKeysAsync()).Select(View).ToList();
        return TypedResults.Ok(keys);
    }

    private static async Task<Results<Ok<TokenKeyView>, ProblemHttpResult>> Rotate(HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        var key = await grains.GetGrain<ITokenAuthorityGrain>(caller.TenantId).RotateAsync(caller.Actor);
        return key is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(View(key));
    }

    private static TokenKeyView View(TokenSigningKey k) =>
        new(k.KeyId, k.CreatedAt, k.RetiredAt, k.PublishedUntil, k.Next ? "next" : k.RetiredAt is null ? "current" : "retired");

    private static async Task<Results<Ok<TokenPolicyView>, ProblemHttpResult>> GetPolicy(string groupId, HttpContext http, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.NotFound);
        var policy = await grains.GetGrain<ITokenPolicyGrain>(new GroupKey(Caller.Of(http).TenantId, groupId).ToString()).GetAsync();
        return policy is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(TokenPolicies.ToContract(policy));
    }

    private static async Task<Results<Ok<TokenPolicyView>, ProblemHttpResult>> PutPolicy(string groupId, TokenPolicyView body, HttpContext http, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        var key = new GroupKey(caller.TenantId, groupId);
        if (await grains.GetGroupGrain(key).GetPolicyAsync() is null) return Problems.For(ProvisioningError.NotFound, "no such enrolment group");
        if (TokenPolicies.Check(body) is { } problem) return Problems.For(ProvisioningError.MalformedRequest, problem);
        var stored = await grains.GetGrain<ITokenPolicyGrain>(key.ToString()).SetAsync(TokenPolicies.ToPolicy(body), caller.Actor);
        return TypedResults.Ok(TokenPolicies.ToContract(stored));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePolicy(string groupId, HttpContext http, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        var deleted = await grains.GetGrain<ITokenPolicyGrain>(new GroupKey(caller.TenantId, groupId).ToString()).DeleteAsync(caller.Actor);
        return deleted ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    /// <summary>
    /// RFC 7662: <c>active</c> is true only for a token of the caller's tenant whose signature (a published key), issuer
    /// and lifetime hold and whose device is Active now; any other token, well-formed or not, is just inactive.
    /// </summary>
    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, ProblemHttpResult>> Introspect(HttpContext http, IGrainFactory grains,
        IOptions<ProvisioningOptions> options, TimeProvider clock)
    {
        if (!http.Request.HasFormContentType) return Problems.For(ProvisioningError.MalformedRequest, "send token=… as application/x-www-form-urlencoded");
        var form = await http.Request.ReadFormAsync();
        var token = form["token"].ToString();
        if (token.Length == 0) return Problems.For(ProvisioningError.MalformedRequest, "token is missing");
        var tenantId = Caller.Of(http).TenantId;
        var inactive = new Dictionary<string, object> { ["active"] = false };
        var keys = await grains.GetGrain<ITokenAuthorityGrain>(tenantId).GetPublishedKeysAsync();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TokenIssuers.Issuer(options.Value.PublicBaseUrl, tenantId),
            ValidateAudience = false,
            IssuerSigningKeys = TokenKeys.SecurityKeys(keys),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, parameters) =>
                expires is { } exp && exp > clock.GetUtcNow().UtcDateTime - parameters.ClockSkew && (notBefore is null || notBefore < clock.GetUtcNow().UtcDateTime + parameters.ClockSkew),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return TypedResults.Json(inactive);
        if (!jwt.TryGetPayloadValue<string>(DeviceTokenClaims.DeviceId, out var deviceId) || !DeviceIds.IsValid(deviceId)) return TypedResults.Json(inactive);
        var device = await grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenantId);
        if (device is not { Status: DeviceStatus.Active }) return TypedResults.Json(inactive);
        // the certificate the token is bound to (cnf x5t#S256) may be revoked while the device is active: such a token is dead too
        if (!jwt.TryGetPayloadValue<string>(DeviceTokenClaims.CertificateSerial, out var serial) || string.IsNullOrEmpty(serial)
            || await grains.GetGrain<ITenantGrain>(tenantId).GetRevocationAsync(serial) is not null)
            return TypedResults.Json(inactive);
        // the answer repeats the token's own claims (RFC 7662 §2.2), read from its verified payload
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload));
        var answer = new Dictionary<string, object> { ["active"] = true, ["token_type"] = "Bearer" };
        foreach (var claim in payload.RootElement.EnumerateObject()) answer[claim.Name] = claim.Value.Clone();
        return TypedResults.Json(answer);
    }
}
