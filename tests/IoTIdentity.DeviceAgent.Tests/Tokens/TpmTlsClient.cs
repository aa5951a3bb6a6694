using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// An HTTPS request made the way an application on the device makes it with its TPM-resident key: <c>openssl s_client</c>
/// with the tpm2 provider (through tpm2-abrmd) presents the device certificate and its chain, checks the server against
/// the certificate it is given, and the request is written on the TLS connection as it is. Returns the HTTP status code
/// and the whole response.
/// </summary>
public static class TpmTlsClient
{
    /// <summary><c>GET</c> <paramref name="path"/> of the relying party with <paramref name="token"/> as bearer token.</summary>
    public static Task<(int Status, string Response)> GetAsync(AgentHarness device, TabrmdProcess abrmd, RelyingParty party, string path, string token) =>
        SendAsync(device, abrmd, party.Address.Port, party.ServerCertificate,
            $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");

    /// <summary><c>GET</c> <paramref name="path"/> of the relying party with no token: the certificate alone.</summary>
    public static Task<(int Status, string Response)> GetAsync(AgentHarness device, TabrmdProcess abrmd, RelyingParty party, string path) =>
        SendAsync(device, abrmd, party.Address.Port, party.ServerCertificate, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

    /// <summary><c>POST</c> of <paramref name="json"/> to <paramref name="path"/> on 127.0.0.1:<paramref name="port"/>, whose server certificate is <paramref name="server"/>.</summary>
    public static Task<(int Status, string Response)> PostJsonAsync(AgentHarness device, TabrmdProcess abrmd, int port, X509Certificate2 server, string path, string json) =>
        SendAsync(device, abrmd, port, server,
            $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\nConnection: close\r\n\r\n{json}");

    private static async Task<(int Status, string Response)> SendAsync(AgentHarness device, TabrmdProcess abrmd, int port, X509Certificate2 server, string request)
    {
        var serverCa = Path.Combine(device.Directory, $"server-{port}.pem");
        await File.WriteAllTextAsync(serverCa, server.ExportCertificatePem());
        var start = new ProcessStartInfo("openssl", ["s_client", "-provider", "tpm2", "-provider", "default", "-propquery", "?provider=tpm2",
            "-connect", $"127.0.0.1:{port}", "-CAfile", serverCa, "-verify_return_error", "-quiet", "-ign_eof",
            "-cert", device.Store.StablePath(IdentityStore.CertificateFile), "-cert_chain", device.Store.StablePath(IdentityStore.ChainFile), "-key", device.Store.StablePath(IdentityStore.KeyFile)])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["TPM2OPENSSL_TCTI"] = TabrmdProcess.Tcti;
        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = abrmd.BusAddress;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(request);
        await process.StandardInput.FlushAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        process.StandardInput.Close();
        var response = await output;
        var statusLine = response.Split('\n').FirstOrDefault(l => l.StartsWith("HTTP/1.1 ", StringComparison.Ordinal));
        Assert.True(statusLine is not null, $"no HTTP response over the TPM-keyed TLS connection:\n{response}\n{await error}");
        return (int.Parse(statusLine!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), response);
    }
}
