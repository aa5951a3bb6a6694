using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// A tenant's SPIFFE trust bundle (SPIFFE Trust Domain and Bundle, §4): a JWK set whose <c>x509-svid</c> keys are the
/// tenant's X.509 authorities (its root CA, the certificate in <c>x5c</c>) and whose <c>jwt-svid</c> keys are its
/// published token keys, with a refresh hint.
/// </summary>
public static class TrustBundles
{
    /// <summary>How often relying parties should fetch bundles again, in seconds: what a removed federation waits for at most.</summary>
    public const int RefreshHintSeconds = 60;

    /// <summary>The bundle of <paramref name="tenantId"/>, or null if there is no such tenant.</summary>
    public static async Task<Dictionary<string, object>?> ForTenantAsync(IGrainFactory grains, string tenantId)
    {
        if (await grains.GetGrain<ITenantGrain>(tenantId).GetCaAsync() is not { } ca) return null;
        var authority = grains.GetGrain<ITokenAuthorityGrain>(tenantId);
        await authority.GetSigningKeyAsync();
        var keys = new List<Dictionary<string, object>> { X509Authority(ca.RootCertificate) };
        keys.AddRange((await authority.GetPublishedKeysAsync()).Select(k => TokenKeys.Jwk(k, "jwt-svid").ToDictionary(p => p.Key, p => (object)p.Value)));
        return new Dictionary<string, object> { ["keys"] = keys, ["spiffe_refresh_hint"] = RefreshHintSeconds };
    }

    /// <summary>An X.509 authority as a JWK: its public key (EC or RSA), <c>use</c> <c>x509-svid</c> and the certificate in <c>x5c</c>.</summary>
    private static Dictionary<string, object> X509Authority(byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        var jwk = new Dictionary<string, object> { ["use"] = "x509-svid", ["x5c"] = new[] { Convert.ToBase64String(der) } };
        if (certificate.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                var p = ec.ExportParameters(false);
                jwk["kty"] = "EC";
                jwk["crv"] = ec.KeySize switch { 384 => "P-384", 521 => "P-521", _ => "P-256" };
                jwk["x"] = Base64UrlEncoder.Encode(p.Q.X!);
                jwk["y"] = Base64UrlEncoder.Encode(p.Q.Y!);
            }
        }
        else if (certificate.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                var p = rsa.ExportParameters(false);
                jwk["kty"] = "RSA";
                jwk["n"] = Base64UrlEncoder.Encode(p.Modulus!);
                jwk["e"] = Base64UrlEncoder.Encode(p.Exponent!);
            }
        }
        return jwk;
    }
}
