using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The device's client (<see cref="EnrollmentClient"/>) on the authenticated session: with its certificate it is
/// admitted as authenticated and keeps the session against every takeover attempt (no certificate, another device's
/// certificate, its own revoked one); once its certificate is revoked and its session closed, that certificate cannot
/// reconnect, while the enrolment-only class stays open to it.
/// </summary>
public sealed class DeviceClientCertificateTests : IDisposable
{
    private readonly TenantDevices _tenant = new();

    public void Dispose() => _tenant.Dispose();

    [Fact]
    public async Task The_device_client_opens_an_authenticated_session_with_its_certificate()
    {
        await using var harness = await EndpointHarness.StartAsync(verifier: _tenant.Verifier);
        var id = EndpointHarness.NewDeviceId();

        await using var client = await EnrollmentClient.ConnectAsync(id, Options(harness, Pfx(_tenant.Issue(id)))).Within();

        Assert.True(client.IsAuthenticated);
        Assert.Equal("ping"u8.ToArray(), await client.RequestRawAsync(Topics.Operations.Register, "ping"u8.ToArray()).Within());
        Assert.Empty(harness.Refusals);
    }

    public static TheoryData<string> Attackers => new() { "no certificate", "another device's certificate", "the device's revoked certificate" };

    [Theory]
    [MemberData(nameof(Attackers))]
    public async Task A_takeover_attempt_is_refused_and_the_victim_keeps_its_session(string attacker)
    {
        await using var harness = await EndpointHarness.StartAsync(verifier: _tenant.Verifier);
        var id = EndpointHarness.NewDeviceId();
        await using var victim = await EnrollmentClient.ConnectAsync(id, Options(harness, Pfx(_tenant.Issue(id)))).Within();
        byte[]? stolen = attacker switch
        {
            "no certificate" => null,
            "another device's certificate" => Pfx(_tenant.Issue(EndpointHarness.NewDeviceId())),
            _ => Revoked(id),
        };

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollmentClient.ConnectAsync(id, Options(harness, stolen)).Within());

        Assert.Equal(ProvisioningError.NotAuthorized, refusal.Error);
        // the CONNACK names the refusal, so a device knows whether its certificate itself was refused
        Assert.Equal(attacker switch
        {
            "no certificate" => MqttRefusals.SessionHeld,
            "another device's certificate" => MqttConnectRefusals.CertificateClientId,
            _ => MqttConnectRefusals.Certificate,
        }, refusal.ConnectReason);
        Assert.True(victim.IsConnected);
        Assert.Equal("still mine"u8.ToArray(), await victim.RequestRawAsync(Topics.Operations.Register, "still mine"u8.ToArray()).Within());
        Assert.Equal(1, harness.Refusals.Values.Sum());
    }

    [Fact]
    public async Task A_revoked_certificate_cannot_reconnect_after_its_session_is_closed_but_enrolment_only_stays_open()
    {
        await using var harness = await EndpointHarness.StartAsync(verifier: _tenant.Verifier);
        var id = EndpointHarness.NewDeviceId();
        using var issued = _tenant.Issue(id);
        var pfx = issued.Export(X509ContentType.Pkcs12);
        await using var device = await EnrollmentClient.ConnectAsync(id, Options(harness, pfx)).Within();

        _tenant.Revoke(issued);
        Assert.Equal(1, await harness.Endpoint.CloseSessionsAsync(id).Within());

        for (var deadline = DateTime.UtcNow + Bounded.Default; device.IsConnected; await Task.Delay(50))
            Assert.True(DateTime.UtcNow < deadline, "the revoked device's session is closed");
        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollmentClient.ConnectAsync(id, Options(harness, pfx)).Within());
        Assert.Equal(ProvisioningError.NotAuthorized, refusal.Error);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.Certificate));
        await using var enrolmentOnly = await EnrollmentClient.ConnectAsync(id, Options(harness, null)).Within();
        Assert.False(enrolmentOnly.IsAuthenticated);
    }

    private byte[] Revoked(string id)
    {
        using var certificate = _tenant.Issue(id);
        _tenant.Revoke(certificate);
        return Pfx(certificate);
    }

    private static byte[] Pfx(X509Certificate2 certificate)
    {
        using (certificate) return certificate.Export(X509ContentType.Pkcs12);
    }

    private static EnrollmentClientOptions Options(EndpointHarness harness, byte[]? pfx) => new()
    {
        Host = "127.0.0.1",
        Port = harness.Endpoint.TlsPort,
        TrustAnchorPath = harness.Endpoint.DevCertificatePath,
        RequestTimeout = TimeSpan.FromSeconds(5),
        ClientCertificate = pfx is null ? null : () => X509CertificateLoader.LoadPkcs12(pfx, null),
    };
}
