using System.Diagnostics;
using System.Formats.Asn1;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// The discovery document and JWKS checked by second implementations. With openssl: the key is rebuilt from the JWK's
/// bare coordinates into a PEM by byte layout (no key API of ours or .NET's), and <c>openssl dgst</c> verifies the
/// token's ES256 signature with it. With Python's <c>cryptography</c> (Debian's python3-cryptography, which
/// scripts/install-deps.sh installs): <c>verify_token.py</c> follows discovery to the JWKS and the trust bundle and
/// checks keys, kids, signature, claims, certificate binding and the device certificate's chain to the bundle's root.
/// </summary>
public sealed class JwksOpenSslTests(TokenService tokens) : IClassFixture<TokenService>
{
    /// <summary>The DER prefix of a P-256 SubjectPublicKeyInfo (id-ecPublicKey, prime256v1, uncompressed point follows).</summary>
    private const string P256SpkiPrefix = "3059301306072a8648ce3d020106082a8648ce3d03010703420004";

    /// <summary>Debian's interpreter, whose cryptography package scripts/install-deps.sh installs (not whatever python3 is first on the PATH).</summary>
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task Python_cryptography_follows_discovery_to_the_JWKS_and_trust_bundle_and_verifies_a_device_token_bound_to_its_certificate()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/install-deps.sh");
        await using var device = await tokens.DeviceWithPolicyAsync();
        var token = (await device.NewAgent().RequestTokenAsync(RelyingParty.Audience, null, null, CancellationToken.None)).Token;
        var certificate = device.Store.StablePath(IoTIdentity.DeviceAgent.State.IdentityStore.CertificateFile);
        var chain = device.Store.StablePath(IoTIdentity.DeviceAgent.State.IdentityStore.ChainFile);

        var (code, output) = await VerifyAsync(device.Directory, token, RelyingParty.Audience, certificate, chain);
        Assert.True(code == 0, output);
        Assert.Equal(5, output.Split('\n').Count(l => l.StartsWith("OK: ", StringComparison.Ordinal)));
        Assert.Contains("whose kid is its RFC 7638 thumbprint", output, StringComparison.Ordinal);
        Assert.Contains("the device certificate chains to its x509-svid authority", output, StringComparison.Ordinal);

        var parts = token.Split('.');
        var otherSignature = Base64UrlEncoder.DecodeBytes(parts[2]);
        otherSignature[^1] ^= 1;
        (code, output) = await VerifyAsync(device.Directory, $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(otherSignature)}", RelyingParty.Audience, certificate, chain);
        Assert.True(code == 1, output);
        Assert.Contains("FAIL: the signature does not verify", output, StringComparison.Ordinal);
        (code, output) = await VerifyAsync(device.Directory, token, "https://other.example", certificate, chain);
        Assert.True(code == 1, output);
        Assert.Contains("FAIL: aud", output, StringComparison.Ordinal);

        // the device renews: the token stays bound to the certificate it was issued for, not the new one
        await device.NewAgent().RotateAsync(null, CancellationToken.None);
        (code, output) = await VerifyAsync(device.Directory, token, RelyingParty.Audience, certificate, chain);
        Assert.True(code == 1, output);
        Assert.Contains("FAIL: cnf.x5t#S256", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Openssl_verifies_a_device_token_with_the_key_the_discovery_documents_JWKS_publishes_under_its_kid()
    {
        var service = tokens.Service;
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(30));
        await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        using var admin = device.Tenant.Http;
        var put = await admin.PutAsync("/api/v1/enrollment-groups/default/token-policy",
            new StringContent("""{"audiences":{"https://checked.example":["a"]}}""", Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var token = (await device.NewAgent().RequestTokenAsync("https://checked.example", null, null, CancellationToken.None)).Token;
        var parts = token.Split('.');
        using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0]));
        using var claims = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[1]));
        var issuer = claims.RootElement.GetProperty("iss").GetString()!;

        using var anonymous = new HttpClient();
        using var discovery = JsonDocument.Parse(await anonymous.GetStringAsync($"{issuer}/.well-known/openid-configuration"));
        Assert.Equal(issuer, discovery.RootElement.GetProperty("issuer").GetString());
        using var jwks = JsonDocument.Parse(await anonymous.GetStringAsync(discovery.RootElement.GetProperty("jwks_uri").GetString()));
        var kid = header.RootElement.GetProperty("kid").GetString();
        var jwk = jwks.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        Assert.Equal("EC", jwk.GetProperty("kty").GetString());
        Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
        Assert.Equal("ES256", jwk.GetProperty("alg").GetString());
        Assert.False(jwk.TryGetProperty("d", out _));

        var spki = Convert.FromHexString(P256SpkiPrefix).Concat(Base64UrlEncoder.DecodeBytes(jwk.GetProperty("x").GetString()))
            .Concat(Base64UrlEncoder.DecodeBytes(jwk.GetProperty("y").GetString())).ToArray();
        var directory = device.Directory;
        await File.WriteAllTextAsync(Path.Combine(directory, "jwk.pem"), $"-----BEGIN PUBLIC KEY-----\n{Convert.ToBase64String(spki, Base64FormattingOptions.InsertLineBreaks)}\n-----END PUBLIC KEY-----\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "signing-input"), $"{parts[0]}.{parts[1]}");
        await File.WriteAllBytesAsync(Path.Combine(directory, "signature.der"), DerSignature(Base64UrlEncoder.DecodeBytes(parts[2])));

        var (code, output) = await OpenSslAsync(directory, "dgst", "-sha256", "-verify", "jwk.pem", "-signature", "signature.der", "signing-input");
        Assert.True(code == 0, output);
        Assert.Contains("Verified OK", output, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(directory, "signing-input"), $"{parts[0]}.{parts[1]}x");
        var (tamperedCode, tampered) = await OpenSslAsync(directory, "dgst", "-sha256", "-verify", "jwk.pem", "-signature", "signature.der", "signing-input");
        Assert.NotEqual(0, tamperedCode);
        Assert.Contains("Verification failure", tampered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_and_JWKS_of_a_tenant_that_does_not_exist_are_not_found()
    {
        using var anonymous = new HttpClient { BaseAddress = tokens.Service.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await anonymous.GetAsync("/tenants/no-such-tenant/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await anonymous.GetAsync("/tenants/no-such-tenant/jwks.json")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await anonymous.GetAsync("/tenants/NOT%20VALID/jwks.json")).StatusCode);
    }

    /// <summary>JWS r||s (RFC 7518 §3.4) as the DER ECDSA-Sig-Value openssl reads.</summary>
    private static byte[] DerSignature(byte[] p1363)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(p1363.AsSpan(0, 32), isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new BigInteger(p1363.AsSpan(32, 32), isUnsigned: true, isBigEndian: true));
        }
        return writer.Encode();
    }

    private static Task<(int Code, string Output)> VerifyAsync(string directory, string token, string audience, string certificate, string chain) =>
        RunAsync(Python, directory, Path.Combine(AppContext.BaseDirectory, "Tokens", "verify_token.py"), token, audience, certificate, chain);

    private static Task<(int Code, string Output)> OpenSslAsync(string directory, params string[] args) => RunAsync("openssl", directory, args);

    private static async Task<(int Code, string Output)> RunAsync(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
