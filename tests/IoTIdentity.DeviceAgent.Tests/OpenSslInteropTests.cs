using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The exported <c>current/key.tss2.pem</c> works in Debian's tpm2-openssl provider against the same swtpm: openssl
/// loads it under the primary it re-creates for parent 0x40000001, signs with it, and the signature verifies with the
/// issued certificate; and s_client completes a TLS handshake with it as client certificate. (With OpenSSL 3.0 the
/// provider is selected by <c>-propquery ?provider=tpm2</c>, which also moves the handshake digests into the TPM:
/// that needs the tpm2-abrmd resource manager in front of swtpm, whose three object slots run out otherwise.)
/// </summary>
public sealed class OpenSslInteropTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static string OpenSslProvider()
    {
        var module = Directory.EnumerateFiles("/usr/lib", "tpm2.so", SearchOption.AllDirectories).FirstOrDefault(p => p.Contains("ossl-modules", StringComparison.Ordinal));
        Assert.True(module is not null, "tpm2-openssl is missing: run scripts/install-deps.sh (apt-get install tpm2-openssl)");
        return module!;
    }

    private static Task<(int Code, string Output)> OpenSslAsync(AgentHarness device, string? stdin, params string[] args) =>
        OpenSslAsync(new Dictionary<string, string> { ["TPM2OPENSSL_TCTI"] = $"swtpm:host=127.0.0.1,port={device.Swtpm.DataPort}" }, stdin, args);

    private static async Task<(int Code, string Output)> OpenSslAsync(Dictionary<string, string> environment, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Openssl_signs_with_the_exported_TSS2_key_and_the_signature_verifies_with_the_issued_certificate()
    {
        OpenSslProvider();
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(5));
        var identity = await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        var message = Path.Combine(device.Directory, "message.txt");
        await File.WriteAllTextAsync(message, "signed by openssl with a TPM key");
        var signature = Path.Combine(device.Directory, "message.sig");

        var (code, output) = await OpenSslAsync(device, null, "dgst", "-provider", "tpm2", "-provider", "default", "-propquery", "?provider=tpm2", "-sha256",
            "-sign", device.Store.StablePath(IdentityStore.KeyFile), "-out", signature, message);

        Assert.True(code == 0, output);
        using var certificate = identity.LoadCertificate();
        using var key = certificate.GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(await File.ReadAllBytesAsync(message), await File.ReadAllBytesAsync(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task The_README_signing_recipe_signs_through_the_stable_key_path_and_verifies_with_the_stable_certificate_path()
    {
        OpenSslProvider();
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(5));
        await device.NewAgent().EnrollAsync(null, CancellationToken.None);

        var (code, output) = await ReadmeRecipes.RunAsync("sign-with-the-device-key", device.Directory, new Dictionary<string, string>
        {
            ["STATE"] = device.Options.StateDirectory,
            ["TPM2OPENSSL_TCTI"] = $"swtpm:host=127.0.0.1,port={device.Swtpm.DataPort}",
        });

        Assert.True(code == 0, output);
        Assert.Contains("Verified OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_CSR_that_openssl_req_makes_with_the_TPM_key_passes_the_services_CSR_check()
    {
        OpenSslProvider();
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(5));
        var identity = await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        var csrPath = Path.Combine(device.Directory, "request.der");

        var (code, output) = await OpenSslAsync(device, null, "req", "-new", "-provider", "tpm2", "-provider", "default", "-propquery", "?provider=tpm2",
            "-key", device.Store.StablePath(IdentityStore.KeyFile), "-subj", $"/CN={device.DeviceId}", "-outform", "DER", "-out", csrPath);

        Assert.True(code == 0, output);
        var csr = await File.ReadAllBytesAsync(csrPath);
        // the encoding this test is about: ecdsa-with-SHA256 followed by an explicit NULL, as tpm2-openssl writes it
        Assert.Equal(Convert.FromHexString("300C06082A8648CE3D0403020500"), SignatureAlgorithmOf(csr));
        using var certificate = identity.LoadCertificate();
        var result = CertificateSigningRequestValidator.Validate(csr, certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Equal("1.2.840.10045.4.3.2", result.Request.SignatureAlgorithm);

        // what is actually wrong stays refused: the same request with a parameter that is not NULL, or a changed subject
        var wrongParameters = ReplaceOnce(csr, Convert.FromHexString("06082A8648CE3D0403020500"), Convert.FromHexString("06082A8648CE3D0403020201"));
        Assert.Equal(CsrFailure.UnsupportedAlgorithm,
            CertificateSigningRequestValidator.Validate(wrongParameters, certificate.PublicKey.ExportSubjectPublicKeyInfo()).Failure);
        var subject = System.Text.Encoding.ASCII.GetBytes(device.DeviceId[..8]);
        var otherSubject = ReplaceOnce(csr, subject, System.Text.Encoding.ASCII.GetBytes(new string(device.DeviceId[..8].Select(c => c == '0' ? '1' : '0').ToArray())));
        Assert.Equal(CsrFailure.BadSignature,
            CertificateSigningRequestValidator.Validate(otherSubject, certificate.PublicKey.ExportSubjectPublicKeyInfo()).Failure);
    }

    private static byte[] SignatureAlgorithmOf(byte[] csr)
    {
        var request = new System.Formats.Asn1.AsnReader(csr, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        request.ReadEncodedValue();
        return request.ReadEncodedValue().ToArray();
    }

    private static byte[] ReplaceOnce(byte[] haystack, byte[] needle, byte[] replacement)
    {
        var at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, "the bytes to replace are in the request");
        return [.. haystack[..at], .. replacement, .. haystack[(at + needle.Length)..]];
    }

    [Fact]
    public async Task A_TLS_handshake_with_the_TPM_key_as_client_certificate_succeeds_with_the_README_recipe() =>
        await ClientRecipeAsync("tls-client-through-abrmd", "hello device\n"u8.ToArray());

    [Fact]
    public async Task Curl_presents_the_TPM_key_as_client_certificate_with_the_README_recipe() =>
        await ClientRecipeAsync("curl-with-the-device-key", "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\nhello device\n"u8.ToArray());

    /// <summary>Runs a README client recipe against a TLS server that requires the device's certificate and then sends <paramref name="answer"/>.</summary>
    private async Task ClientRecipeAsync(string recipe, byte[] answer)
    {
        OpenSslProvider();
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(5));
        var identity = await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        var ca = (await service.Grains.GetGrain<ITenantGrain>(device.Tenant.TenantId).GetCaAsync())!;
        await using var abrmd = await TabrmdProcess.StartAsync(device.Swtpm.DataPort);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var serverCertificate = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var serverPem = Path.Combine(device.Directory, "server.pem");
        await File.WriteAllTextAsync(serverPem, serverCertificate.ExportCertificatePem());
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        X509Certificate2? presented = null;
        var chainErrors = "not validated";
        var server = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
            {
                presented = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(ca.RootCertificate));
                chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(identity.Metadata.CertificateChain[1]));
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                var ok = chain.Build(presented);
                chainErrors = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation));
                return ok;
            });
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = serverCertificate, ClientCertificateRequired = true });
            if (recipe.StartsWith("curl", StringComparison.Ordinal)) _ = await tls.ReadAsync(new byte[4096]);   // its request
            await tls.WriteAsync(answer);
            await tls.FlushAsync();
        });

        var (_, output) = await ReadmeRecipes.RunAsync(recipe, device.Directory, new Dictionary<string, string>
        {
            ["STATE"] = device.Options.StateDirectory,
            ["SERVER"] = $"127.0.0.1:{port}",
            ["SERVER_CA"] = serverPem,
            ["TPM2OPENSSL_TCTI"] = TabrmdProcess.Tcti,
            ["DBUS_SESSION_BUS_ADDRESS"] = abrmd.BusAddress,
        });
        try
        {
            await server.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            Assert.Fail($"the handshake failed: {e.Message}\nthe recipe said:\n{output}");
        }

        Assert.Equal(identity.Metadata.CertificateChain[0], presented!.RawData);   // the issued certificate, its key in the TPM
        Assert.True(chainErrors.Length == 0, chainErrors);
        Assert.Contains("hello device", output, StringComparison.Ordinal);
    }
}
