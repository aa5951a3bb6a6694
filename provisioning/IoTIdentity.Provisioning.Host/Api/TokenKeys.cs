using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>A tenant's token keys as JWKs (RFC 7517) and as the validation keys of its own introspection.</summary>
public static class TokenKeys
{
    /// <summary>The public JWK of a P-256 signing key: <c>kty crv x y kid use alg</c>, nothing else.</summary>
    public static Dictionary<string, string> Jwk(TokenSigningKey key, string use = "sig")
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        var q = ecdsa.ExportParameters(false).Q;
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(q.X!), ["y"] = Base64UrlEncoder.Encode(q.Y!), ["kid"] = key.KeyId, ["use"] = use,
        };
        if (use == "sig") jwk["alg"] = SecurityAlgorithms.EcdsaSha256;
        return jwk;
    }

    /// <summary>The keys as validation keys (each with its key id).</summary>
    public static List<SecurityKey> SecurityKeys(IEnumerable<TokenSigningKey> keys) => keys.Select(k =>
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(k.PublicKey, out _);
        return (SecurityKey)new ECDsaSecurityKey(ecdsa) { KeyId = k.KeyId };
    }).ToList();
}
