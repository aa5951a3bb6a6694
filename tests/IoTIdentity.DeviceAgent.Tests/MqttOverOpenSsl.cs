using System.Diagnostics;
using System.Text;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// An MQTT 5 CONNECT sent the way an attacker holding a device's TPM would send it: <c>openssl s_client</c> with the
/// tpm2 provider (through that device's tpm2-abrmd) presents the device's certificate, and the CONNECT packet is
/// written on the TLS connection as bytes. Returns the CONNACK's reason code and reason string.
/// </summary>
public static class MqttOverOpenSsl
{
    public static Task<(byte ReasonCode, string? ReasonString)> ConnectAsync(AgentHarness certificateHolder, TabrmdProcess abrmd, int port, string clientId) =>
        ConnectAsync(certificateHolder.Store.StablePath(IdentityStore.CertificateFile), certificateHolder.Store.StablePath(IdentityStore.KeyFile),
            certificateHolder.Options.TrustAnchorPath!, abrmd, port, clientId);

    /// <summary>The same with a certificate and TSS2 key file given by path (a certificate the device held before, say).</summary>
    public static async Task<(byte ReasonCode, string? ReasonString)> ConnectAsync(string certificatePath, string keyPath, string trustAnchorPath, TabrmdProcess abrmd,
        int port, string clientId)
    {
        var start = new ProcessStartInfo("openssl", ["s_client", "-provider", "tpm2", "-provider", "default", "-propquery", "?provider=tpm2,tpm2.digest!=yes",
            "-connect", $"127.0.0.1:{port}", "-CAfile", trustAnchorPath, "-verify_return_error", "-quiet", "-ign_eof", "-tls1_3",
            "-cert", certificatePath, "-key", keyPath])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["TPM2OPENSSL_TCTI"] = TabrmdProcess.Tcti;
        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = abrmd.BusAddress;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(Connect(clientId));
            await process.StandardInput.BaseStream.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var output = process.StandardOutput.BaseStream;
            var header = await ReadExactlyAsync(output, 2, timeout.Token);
            Assert.True(header is [0x20, _], $"no CONNACK over the TPM-keyed TLS connection: {Convert.ToHexString(header)}\n{(process.HasExited ? await error : "")}");
            var body = await ReadExactlyAsync(output, header[1], timeout.Token);   // a CONNACK here is shorter than 128 bytes
            return (body[1], ReasonString(body.AsSpan(2)));
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>MQTT 5 CONNECT (§3.1): clean start, keep-alive 60 s, no properties, the client id as the whole payload.</summary>
    private static byte[] Connect(string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        byte[] variable = [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0x02, 0, 60, 0];
        var remaining = variable.Length + 2 + id.Length;
        Assert.True(remaining < 128, "one length byte");
        return [0x10, (byte)remaining, .. variable, (byte)(id.Length >> 8), (byte)id.Length, .. id];
    }

    /// <summary>The Reason String property (0x1F) among the CONNACK's properties, if present.</summary>
    private static string? ReasonString(ReadOnlySpan<byte> properties)
    {
        if (properties.IsEmpty) return null;
        var length = properties[0];   // shorter than 128 here
        var rest = properties.Slice(1, length);
        while (!rest.IsEmpty)
        {
            var id = rest[0];
            rest = rest[1..];
            switch (id)
            {
                case 0x1F or 0x12 or 0x1A or 0x1C:   // UTF-8 strings: reason string, assigned client id, response information, server reference
                    var size = (rest[0] << 8) | rest[1];
                    var text = Encoding.UTF8.GetString(rest.Slice(2, size));
                    if (id == 0x1F) return text;
                    rest = rest[(2 + size)..];
                    break;
                case 0x11 or 0x27: rest = rest[4..]; break;                       // four-byte integers
                case 0x21 or 0x22 or 0x13: rest = rest[2..]; break;               // two-byte integers
                case 0x24 or 0x25 or 0x28 or 0x29 or 0x2A: rest = rest[1..]; break; // bytes
                default: return null;                                               // user properties, auth: not expected here
            }
        }
        return null;
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0) return buffer[..read];
            read += n;
        }
        return buffer;
    }
}
