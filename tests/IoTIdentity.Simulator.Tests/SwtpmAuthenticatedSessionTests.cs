using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.Enrollment.Tls;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The swtpm device's own TLS 1.3 client (the swtpm signing the CertificateVerify) against the real service: what it
/// must not get — a session with another device's certificate, a session with a broker it does not trust — and the
/// device keys and digests the TPM signer refuses.
/// </summary>
public sealed class SwtpmAuthenticatedSessionTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-swtpm-session-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 180_000)]
    public async Task A_swtpm_device_gets_no_session_with_another_devices_certificate_nor_from_a_broker_it_does_not_trust()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(170));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 2, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);
        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token);
        Assert.Equal(2, firstBoot.Succeeded);
        var (a, b) = (fleet.Devices[0], fleet.Devices[1]);
        var own = fleet.TpmClientCertificate(a, results[a.DeviceId])!;

        // a's certificate with b's swtpm signing: the endpoint's TLS check of the CertificateVerify fails, no session
        var forged = own with { SignHandshake = fleet.TpmClientCertificate(b, results[b.DeviceId])!.SignHandshake };
        var stolen = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(a, service.ClientOptions, forged, timeout.Token));
        Assert.IsNotType<EnrollmentRefusedException>(stolen); // refused in the handshake, before any CONNACK

        // a broker whose certificate does not chain to the device's anchors is refused by the device, with the reason
        var otherAnchor = X509CertificateLoader.LoadCertificate(fleet.Manufacturer.RootDer);
        var distrusted = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(a, new EnrollmentClientOptions
        {
            Host = service.ClientOptions.Host, Port = service.ClientOptions.Port, TrustAnchors = [otherAnchor],
        }, own, timeout.Token));
        Assert.Contains("the broker's certificate is not trusted", distrusted.ToString());

        // and its own certificate, signed by its own swtpm, still opens the authenticated session
        await using var session = await ConnectAsync(a, service.ClientOptions, own, timeout.Token);
        Assert.True(session.IsAuthenticated);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_swtpm_signs_a_handshake_only_with_a_P256_key_and_a_SHA256_digest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 1, 1, timeout.Token);
        var device = fleet.Devices[0];
        var options = fleet.OptionsFor(device);
        var rsa = new TpmKeyBlobs(Tpm2b<TpmtPublic>.From(KeyTemplates.DeviceRsa2048), new Tpm2bPrivate([]));
        var p256 = new TpmKeyBlobs(Tpm2b<TpmtPublic>.From(KeyTemplates.DeviceEccP256), new Tpm2bPrivate([]));

        var notP256 = await Assert.ThrowsAsync<NotSupportedException>(() => fleet.RunOnTpmAsync(device,
            tpm => new TpmEnrollment(tpm, options).SignHandshakeAsync(rsa, options.SrkTemplate, new byte[32], timeout.Token), timeout.Token));
        Assert.Contains("ECC NIST P-256", notP256.Message);
        var notSha256 = await Assert.ThrowsAsync<ArgumentException>(() => fleet.RunOnTpmAsync(device,
            tpm => new TpmEnrollment(tpm, options).SignHandshakeAsync(p256, options.SrkTemplate, new byte[20], timeout.Token), timeout.Token));
        Assert.Contains("not a SHA-256 digest", notSha256.Message);
    }

    private static Task<EnrollmentClient> ConnectAsync(FleetDevice device, EnrollmentClientOptions client, TpmClientCertificate certificate, CancellationToken cancellationToken) =>
        EnrollmentClient.ConnectAsync(device.DeviceId, AuthenticatedSessions.WithCertificate(client, new SessionCredential(null, () => certificate)), cancellationToken);
}
