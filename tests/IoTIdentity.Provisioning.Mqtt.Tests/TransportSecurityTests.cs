using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using IoTIdentity.TestKit;
using MQTTnet;
using MQTTnet.Formatter;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>TLS by default, plaintext only on request, and the development certificate's life cycle.</summary>
public sealed class TransportSecurityTests
{
    [Fact]
    public async Task Without_AllowPlaintext_there_is_no_plaintext_listener_and_plaintext_to_the_TLS_port_fails()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var client = harness.CreateClient();

        var error = await Record.ExceptionAsync(() => client.ConnectAsync(harness.ClientOptions(EndpointHarness.NewDeviceId(), tls: false), CancellationToken.None).Within());

        Assert.Null(harness.Endpoint.PlaintextPort);
        Assert.NotNull(error);
        Assert.False(client.IsConnected);
        Assert.Empty(harness.Handler.Received);
    }

    [Fact]
    public async Task With_AllowPlaintext_a_plaintext_device_is_served_on_its_own_port()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.AllowPlaintext = true);
        var id = EndpointHarness.NewDeviceId();
        var client = await harness.ConnectAsync(id, tls: false);
        var reply = new TaskCompletionSource<MqttApplicationMessage>();
        client.ApplicationMessageReceivedAsync += e => { reply.TrySetResult(e.ApplicationMessage); return Task.CompletedTask; };
        await client.SubscribeAsync(Topics.DeviceSubtree(id) + "res/#").Within();

        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Request(id, "register")).WithPayload("{}")
            .WithResponseTopic(Topics.Response(id, "register")).WithCorrelationData([5]).Build()).Within();

        Assert.NotEqual(harness.Endpoint.TlsPort, harness.Endpoint.PlaintextPort);
        Assert.Equal([5], (await reply.Task.Within()).CorrelationData);
    }

    [Fact]
    public async Task The_dev_certificate_is_a_self_signed_ECDSA_P256_certificate_for_localhost_and_the_loopback_addresses()
    {
        await using var harness = await EndpointHarness.StartAsync();
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(harness.Endpoint.DevCertificatePath!));

        using var key = certificate.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize);
        Assert.Equal(certificate.SubjectName.RawData, certificate.IssuerName.RawData);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Equal(harness.Endpoint.ServerCertificate.Thumbprint, certificate.Thumbprint);
        Assert.False(certificate.HasPrivateKey);
    }

    [Fact]
    public async Task The_dev_certificate_is_saved_with_an_owner_only_key_and_reused_after_a_restart()
    {
        var directory = EndpointHarness.NewDataDirectory();
        try
        {
            string first;
            await using (var harness = await EndpointHarness.StartAsync(o => o.DataDirectory = directory))
                first = harness.Endpoint.ServerCertificate.Thumbprint;
            await using (var harness = await EndpointHarness.StartAsync(o => o.DataDirectory = directory))
            {
                Assert.Equal(first, harness.Endpoint.ServerCertificate.Thumbprint);
                var device = await RawDevice.ConnectAsync(harness);
                Assert.True(device.Client.IsConnected);
            }
            var keyFile = Path.Combine(directory, "mqtt-dev-key.pem");
            Assert.True(File.Exists(keyFile));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_dev_certificate_close_to_expiry_is_replaced_on_start()
    {
        var directory = EndpointHarness.NewDataDirectory();
        try
        {
            string first;
            await using (var harness = await EndpointHarness.StartAsync(o => o.DataDirectory = directory))
                first = harness.Endpoint.ServerCertificate.Thumbprint;
            var later = new FixedTimeProvider(DateTimeOffset.UtcNow.AddDays(720));
            await using (var harness = await EndpointHarness.StartAsync(o => o.DataDirectory = directory, time: later))
                Assert.NotEqual(first, harness.Endpoint.ServerCertificate.Thumbprint);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_configured_PEM_certificate_is_served_instead_of_the_dev_certificate()
    {
        var directory = EndpointHarness.NewDataDirectory();
        Directory.CreateDirectory(directory);
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            var request = new CertificateRequest("CN=mqtt.example.test", key, HashAlgorithmName.SHA384);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var configured = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            var certPath = Path.Combine(directory, "server.pem");
            var keyPath = Path.Combine(directory, "server.key");
            await File.WriteAllTextAsync(certPath, configured.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

            await using var harness = await EndpointHarness.StartAsync(o => (o.CertificatePath, o.CertificateKeyPath) = (certPath, keyPath));
            var device = await RawDevice.ConnectAsync(harness);

            Assert.Null(harness.Endpoint.DevCertificatePath);
            Assert.Equal(configured.Thumbprint, harness.Endpoint.ServerCertificate.Thumbprint);
            Assert.True(device.Client.IsConnected);
            // the TLS context is built once and shared: every later handshake still presents the configured certificate
            Assert.Equal(configured.Thumbprint, await PresentedThumbprintAsync(harness));
            Assert.Equal(configured.Thumbprint, await PresentedThumbprintAsync(harness));
            Assert.False(File.Exists(Path.Combine(harness.Options.DataDirectory, "mqtt-dev-cert.pem")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The thumbprint of the certificate the endpoint presents in a new TLS handshake.</summary>
    private static async Task<string> PresentedThumbprintAsync(EndpointHarness harness)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, harness.Endpoint.TlsPort).Within();
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost").Within();
        return tls.RemoteCertificate!.GetCertHashString();
    }
}
