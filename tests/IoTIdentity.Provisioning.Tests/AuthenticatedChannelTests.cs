using System.Net;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Host.Channel;
using IoTIdentity.Simulator.Factory;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The device channel with <c>Mqtt:RequireAuthenticatedSession</c> on, driven by emulated devices (the simulator's
/// in-process TPM, whose device key can sign a TLS handshake here) through the real service: first enrolment on an
/// enrolment-only session, renewal and tokens only on the session the device certificate authenticates, and a
/// revoked device disconnected and refused from then on — answered by the silo's in-memory CRL view, not a grain
/// call per CONNECT.
/// </summary>
public sealed class AuthenticatedChannelTests(AuthenticatedChannelTests.Service service) : IClassFixture<AuthenticatedChannelTests.Service>
{
    private const int TestTimeout = 180_000;

    /// <summary>A service that refuses post-enrolment requests on enrolment-only sessions.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public ServiceFixture Fixture { get; } = ServiceFixture.With(new Dictionary<string, string?> { ["Mqtt:RequireAuthenticatedSession"] = "true" });

        public string FleetDirectory { get; } = Directory.CreateTempSubdirectory("iotid-authchannel-").FullName;

        public Task InitializeAsync() => Fixture.InitializeAsync();

        public async Task DisposeAsync()
        {
            await Fixture.DisposeAsync();
            Directory.Delete(FleetDirectory, recursive: true);
        }
    }

    private ServiceFixture Fixture => service.Fixture;

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_enrols_on_an_enrolment_only_session_but_renews_and_asks_for_tokens_only_on_its_authenticated_one()
    {
        await using var fleet = NewFleet(1);
        var device = fleet.Devices[0];
        await Fixture.CreateTenantAsync($"ac-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId))
        {
            Assert.False(enrolmentOnly.IsAuthenticated);
            enrolled = await EnrolAsync(fleet, device, enrolmentOnly);

            var renewal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => RenewAsync(fleet, device, enrolmentOnly, enrolled));
            Assert.Equal(ProvisioningError.AuthenticationRequired, renewal.Error);
            var token = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(fleet, device, enrolmentOnly, enrolled));
            Assert.Equal(ProvisioningError.AuthenticationRequired, token.Error);
            Assert.False(renewal.IsTransient);
        }

        await using (var authenticated = await ConnectAuthenticatedAsync(fleet, device, enrolled))
        {
            Assert.True(authenticated.IsAuthenticated);
            var renewed = await RenewAsync(fleet, device, authenticated, enrolled);
            Assert.NotEqual(enrolled.Issued.SerialNumber, renewed.Issued.SerialNumber);
            // past the session gate: the group has no token policy, so the grain itself answers
            var token = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(fleet, device, authenticated, renewed));
            Assert.Equal(ProvisioningError.AudienceNotAllowed, token.Error);
            enrolled = renewed;
        }

        // the renewed certificate authenticates the next session
        await using var next = await ConnectAuthenticatedAsync(fleet, device, enrolled);
        Assert.True(next.IsConnected);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_refused_request_on_an_enrolment_only_session_writes_nothing_to_the_tenants_audit_log()
    {
        await using var fleet = NewFleet(1);
        var device = fleet.Devices[0];
        var tenant = await Fixture.CreateTenantAsync($"ac-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        await using var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId);
        var enrolled = await EnrolAsync(fleet, device, enrolmentOnly);
        var before = (await Fixture.ReadAuditLogAsync(tenant.TenantId)).Count;

        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(fleet, device, enrolmentOnly, enrolled));

        Assert.Equal(before, (await Fixture.ReadAuditLogAsync(tenant.TenantId)).Count);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_revoked_device_is_disconnected_at_once_and_its_certificate_is_refused_from_the_CRL_view_without_a_read_per_connect()
    {
        await using var fleet = NewFleet(2);
        var (victim, bystander) = (fleet.Devices[0], fleet.Devices[1]);
        var tenant = await Fixture.CreateTenantAsync($"ac-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        var identities = new Dictionary<string, EnrollmentResult>();
        foreach (var device in fleet.Devices)
        {
            await using var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId);
            identities[device.DeviceId] = await EnrolAsync(fleet, device, enrolmentOnly);
        }
        var view = Fixture.App.Services.GetRequiredService<RevocationView>();

        await using var session = await ConnectAuthenticatedAsync(fleet, victim, identities[victim.DeviceId]);
        var readsAfterFirstConnect = view.Reads;
        for (var i = 0; i < 5; i++)
        {
            await using var other = await ConnectAuthenticatedAsync(fleet, bystander, identities[bystander.DeviceId]);
            Assert.True(other.IsAuthenticated);
        }
        Assert.Equal(readsAfterFirstConnect, view.Reads); // five more CONNECTs of the tenant, no read of its revocations

        using var http = tenant.Http;
        var revoke = await http.PostAsJsonAsync($"/api/v1/devices/{victim.DeviceId}/revoke", new { reason = "keyCompromise" });
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        // the service closed the session before the revocation returned; the client learns it from the DISCONNECT it was sent
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (session.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(session.IsConnected, "the revoked device's authenticated session is still open after the revocation");
        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => ConnectAuthenticatedAsync(fleet, victim, identities[victim.DeviceId]));
        Assert.Equal(ProvisioningError.NotAuthorized, refused.Error);
        Assert.Equal(readsAfterFirstConnect, view.Reads); // the view was told of the revocation, not reloaded
        // the bystander of the same tenant still connects with its certificate
        await using var still = await ConnectAuthenticatedAsync(fleet, bystander, identities[bystander.DeviceId]);
        Assert.True(still.IsAuthenticated);
    }

    /// <summary>Emulated devices of a manufacturer of their own, so only the test's own tenant trusts them.</summary>
    private Fleet NewFleet(int count) => Fleet.CreateEmulated(Path.Combine(service.FleetDirectory, Guid.NewGuid().ToString("N")), count);

    private static Task<EnrollmentResult> EnrolAsync(Fleet fleet, FleetDevice device, IEnrollmentChannel channel) =>
        fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel), CancellationToken.None);

    private static Task<EnrollmentResult> RenewAsync(Fleet fleet, FleetDevice device, IEnrollmentChannel channel, EnrollmentResult current) =>
        fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).RenewAsync(channel, current.DeviceKey, current.Issued.SerialNumber),
            CancellationToken.None);

    private static Task<IoTIdentity.Protocol.Messages.TokenResponse> TokenAsync(Fleet fleet, FleetDevice device, EnrollmentClient channel, EnrollmentResult current) =>
        fleet.RunOnTpmAsync(device, async tpm =>
        {
            var request = await new TpmEnrollment(tpm, fleet.OptionsFor(device))
                .SignTokenRequestAsync(device.DeviceId, current.DeviceKey, current.SrkTemplate, current.Issued.SerialNumber, "https://api.example", null);
            return await channel.RequestTokenAsync(request);
        }, CancellationToken.None);

    private Task<EnrollmentClient> ConnectAuthenticatedAsync(Fleet fleet, FleetDevice device, EnrollmentResult identity) =>
        EnrollmentClient.ConnectAsync(device.DeviceId, new EnrollmentClientOptions
        {
            Host = "127.0.0.1", Port = Fixture.Mqtt.TlsPort, TrustAnchors = [Fixture.MqttTrustAnchor], RequestTimeout = TimeSpan.FromSeconds(20),
            ClientCertificate = () => fleet.ClientCertificate(device, identity) ?? throw new InvalidOperationException("an emulated device has its key"),
        });
}
