using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// What a relying party keeps of a tenant's federated bundle set (<c>/tenants/{id}/federated-bundles.json</c>): the
/// <c>jwt-svid</c> keys and the token issuer of every trust domain it lists, and their <c>x509-svid</c> authorities (the
/// roots device certificates must chain to), fetched again when asked to refresh.
/// </summary>
public sealed class FederatedBundleSet(Uri url)
{
    private volatile IReadOnlyList<(string Issuer, SecurityKey Key)> _trusted = [];
    private volatile IReadOnlyList<X509Certificate2> _authorities = [];

    /// <summary>The X.509 authorities of every trust domain in the set.</summary>
    public IReadOnlyList<X509Certificate2> X509Authorities => _authorities;

    public IEnumerable<string> Issuers => _trusted.Select(t => t.Issuer).Distinct();

    /// <summary>The keys a token of <paramref name="issuer"/> may be signed with.</summary>
    public IEnumerable<SecurityKey> KeysOf(string issuer) => _trusted.Where(t => t.Issuer == issuer).Select(t => t.Key);

    public async Task RefreshAsync()
    {
        using var http = new HttpClient();
        using var set = JsonDocument.Parse(await http.GetStringAsync(url));
        var trusted = new List<(string, SecurityKey)>();
        var authorities = new List<X509Certificate2>();
        foreach (var domain in set.RootElement.GetProperty("trust_domains").EnumerateObject())
        {
            if (domain.Value.TryGetProperty("bundle", out var keys))
                foreach (var key in keys.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("use").GetString() == "x509-svid"))
                    authorities.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(key.GetProperty("x5c")[0].GetString()!)));
            if (!domain.Value.TryGetProperty("issuer", out var issuer) || !domain.Value.TryGetProperty("bundle", out var bundle)) continue;
            foreach (var key in bundle.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("use").GetString() == "jwt-svid"))
                trusted.Add((issuer.GetString()!, new JsonWebKey(key.GetRawText())));
        }
        _trusted = trusted;
        _authorities = authorities;
    }
}
