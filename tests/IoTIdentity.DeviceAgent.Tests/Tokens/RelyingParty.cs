using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// A relying party as a customer would write it, in-process on loopback over HTTPS: JwtBearer reads the trusted tenants'
/// discovery documents (nothing of ours configured by hand but their URLs), the Certificate handler checks the TLS client
/// certificate chains to a trusted root — a trusted tenant's, or an <c>x509-svid</c> authority of the federated bundle
/// set — through the intermediates the client presented in the handshake, and <c>GET /readings</c> requires the
/// <c>readings:read</c> scope and that the token's <c>cnf.x5t#S256</c> is the presented certificate's thumbprint
/// (RFC 8705). 401: no valid token (bad signature, issuer, audience, expired); 403: valid token but no bound certificate
/// or no scope. <c>GET /device</c> is an mTLS-only call: 200 naming the certificate's URI SAN when the Certificate
/// handler accepts it, else 401.
/// </summary>
public sealed class RelyingParty : IAsyncDisposable
{
    public const string Audience = "https://readings.example";
    public const string Scope = "readings:read";

    private readonly WebApplication _app;

    private RelyingParty(WebApplication app, Uri address, X509Certificate2 serverCertificate)
    {
        _app = app;
        Address = address;
        ServerCertificate = serverCertificate;
    }

    public Uri Address { get; }
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>
    /// Starts a relying party trusting the tokens and device certificates of <paramref name="tenants"/>. With
    /// <paramref name="federated"/>, it also accepts tokens and device certificates of every trust domain in that
    /// federated bundle set, which it fetches again before each request (a refresh hint of zero), so a removed federation
    /// takes effect at once.
    /// </summary>
    public static async Task<RelyingParty> StartAsync(Uri service, IReadOnlyList<(string TenantId, byte[] RootCertificate, byte[] IssuingCertificate)> tenants,
        FederatedBundleSet? federated = null)
    {
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var serverCertificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pkcs12), null);

        var presentedIntermediates = new ConcurrentDictionary<string, X509Certificate2>(StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverCertificate;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            // the Certificate handler decides, against the trusted roots; Kestrel hands it the leaf only, so the intermediates
            // the client sent are kept here as path candidates (they grant nothing: the chain must still end at a trusted root)
            https.ClientCertificateValidation = (_, chain, _) =>
            {
                foreach (var candidate in chain?.ChainPolicy.ExtraStore ?? [])
                    if (candidate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority))
                        presentedIntermediates.TryAdd(candidate.Thumbprint, X509CertificateLoader.LoadCertificate(candidate.RawData));
                return true;
            };
        })));
        var authentication = builder.Services.AddAuthentication();
        var issuers = tenants.Select(t => TokenIssuers.Issuer(service.ToString(), t.TenantId)).ToList();
        for (var i = 0; i < tenants.Count; i++)
        {
            var issuer = issuers[i];
            authentication.AddJwtBearer(SchemeOf(tenants[i].TenantId), jwt =>
            {
                jwt.MetadataAddress = $"{issuer}/.well-known/openid-configuration";
                jwt.RequireHttpsMetadata = false;   // the test service is plain HTTP on loopback
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = Audience, ValidIssuer = issuer, ClockSkew = TimeSpan.Zero, ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                };
            });
        }
        if (federated is not null)
            authentication.AddJwtBearer(FederatedScheme, jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = Audience, ClockSkew = TimeSpan.Zero, ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    IssuerValidator = (issuer, _, _) => federated.Issuers.Contains(issuer) ? issuer : throw new SecurityTokenInvalidIssuerException($"{issuer} is not federated"),
                    IssuerSigningKeyResolver = (_, token, _, _) => federated.KeysOf(((Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)token).Issuer),
                };
            });
        authentication.AddCertificate(certificate =>
        {
            certificate.AllowedCertificateTypes = CertificateTypes.Chained;
            certificate.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
            // read again for each request (TrustChanged drops the cached options): the federated set's authorities change
            certificate.CustomTrustStore = [.. tenants.Select(t => X509CertificateLoader.LoadCertificate(t.RootCertificate)), .. federated?.X509Authorities ?? []];
            certificate.AdditionalChainCertificates = [.. tenants.Select(t => X509CertificateLoader.LoadCertificate(t.IssuingCertificate)), .. presentedIntermediates.Values];
            certificate.RevocationMode = X509RevocationMode.NoCheck;
            certificate.ValidateCertificateUse = true;
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/readings", async (HttpContext http) =>
        {
            ClaimsPrincipal? device = null;
            await TrustChangedAsync(http, federated);
            if (federated is not null)
            {
                if (await http.AuthenticateAsync(FederatedScheme) is { Succeeded: true } viaBundles) device = viaBundles.Principal;
            }
            foreach (var tenant in tenants)
                if (await http.AuthenticateAsync(SchemeOf(tenant.TenantId)) is { Succeeded: true } result) device = result.Principal;
            if (device is null) return Results.Unauthorized();
            var presented = await http.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme);
            var certificate = await http.Connection.GetClientCertificateAsync();
            if (!presented.Succeeded || certificate is null) return Results.Text($"no bound certificate ({presented.Failure?.Message})", statusCode: 403);
            var confirmation = device.FindFirst(DeviceTokenClaims.Confirmation)?.Value;
            var bound = confirmation is null ? null : JsonDocument.Parse(confirmation).RootElement.GetProperty(DeviceTokenClaims.CertificateThumbprint).GetString();
            if (bound != Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData))) return Results.Text("certificate is not the token's", statusCode: 403);
            var scopes = device.FindFirst(DeviceTokenClaims.Scope)?.Value.Split(' ') ?? [];
            if (!scopes.Contains(Scope)) return Results.Text("scope missing", statusCode: 403);
            return Results.Text($"readings for {device.FindFirst("sub")!.Value}");
        });
        app.MapGet("/device", async (HttpContext http) =>
        {
            await TrustChangedAsync(http, federated);
            var presented = await http.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme);
            if (!presented.Succeeded) return Results.Text($"certificate refused ({presented.Failure?.Message ?? "none presented"})", statusCode: 401);
            return Results.Text($"certificate of {presented.Principal!.FindFirst(ClaimTypes.Uri)?.Value}");
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new RelyingParty(app, address, serverCertificate);
    }

    /// <summary>Calls <c>GET /readings</c> with <paramref name="token"/> over TLS that presents no client certificate.</summary>
    public async Task<HttpStatusCode> CallWithoutCertificateAsync(string token)
    {
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.RawData.SequenceEqual(ServerCertificate.RawData) == true,
        }) { BaseAddress = Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/readings");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (await http.SendAsync(request)).StatusCode;
    }

    /// <summary>Fetches the federated set again, if there is one, and makes the Certificate handler read its trust again.</summary>
    private static async Task TrustChangedAsync(HttpContext http, FederatedBundleSet? federated)
    {
        if (federated is not null) await federated.RefreshAsync();
        http.RequestServices.GetRequiredService<IOptionsMonitorCache<CertificateAuthenticationOptions>>().TryRemove(CertificateAuthenticationDefaults.AuthenticationScheme);
    }

    private const string FederatedScheme = "federated";

    private static string SchemeOf(string tenantId) => $"tenant-{tenantId}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ServerCertificate.Dispose();
    }
}
