using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Tests;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The exported <c>device-key.tss2.pem</c> works in Debian's tpm2-openssl provider against the same swtpm: openssl
/// loads it under the primary it re-creates for parent 0x40000001, signs with it, and the signature verifies with the
/// issued certificate. (A TLS client-auth handshake through s_client is not here yet: with OpenSSL 3.0 the provider
/// must be selected by <c>-propquery ?provider=tpm2</c>, which also moves the handshake digests into the TPM, and
/// swtpm's three object slots run out without a resource manager such as tpm2-abrmd.)
/// </summary>
public sealed class OpenSslInteropTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static string OpenSslProvider()
    {
        var module = Directory.EnumerateFiles("/usr/lib", "tpm2.so", SearchOption.AllDirectories).FirstOrDefault(p => p.Contains("ossl-modules", StringComparison.Ordinal));
        Assert.True(module is not null, "tpm2-openssl is missing: run scripts/install-deps.sh (apt-get install tpm2-openssl)");
        return module!;
    }

    private static async Task<(int Code, string Output)> OpenSslAsync(AgentHarness device, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["TPM2OPENSSL_TCTI"] = $"swtpm:host=127.0.0.1,port={device.Swtpm.DataPort}";
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
        var generation = device.Store.CurrentGenerationDirectory!;
        var message = Path.Combine(device.Directory, "message.txt");
        await File.WriteAllTextAsync(message, "signed by openssl with a TPM key");
        var signature = Path.Combine(device.Directory, "message.sig");

        var (code, output) = await OpenSslAsync(device, null, "dgst", "-provider", "tpm2", "-provider", "default", "-propquery", "?provider=tpm2", "-sha256",
            "-sign", Path.Combine(generation, "device-key.tss2.pem"), "-out", signature, message);

        Assert.True(code == 0, output);
        using var certificate = identity.LoadCertificate();
        using var key = certificate.GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(await File.ReadAllBytesAsync(message), await File.ReadAllBytesAsync(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }
}
