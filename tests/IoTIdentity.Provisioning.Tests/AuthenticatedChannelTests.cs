using System.Net;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
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

    /// <summary>
    /// A service that refuses post-enrolment requests on enrolment-only sessions; its per-device rate is above the
    /// dozen requests one device of the property test may make within the window (the rate limit is not under test here).
    /// </summary>
    public sealed class Service : IAsyncLifetime
    {
        public ServiceFixture Fixture { get; } = ServiceFixture.With(new Dictionary<string, string?>
        {
            ["Mqtt:RequireAuthenticatedSession"] = "true", ["Mqtt:DeviceRequestsPerWindow"] = "100",
        });

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
            enrolled = await fleet.EnrolAsync(device, enrolmentOnly);

            var renewal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => fleet.RenewAsync(device, enrolmentOnly, enrolled));
            Assert.Equal(ProvisioningError.AuthenticationRequired, renewal.Error);
            var token = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(fleet, device, enrolmentOnly, enrolled));
            Assert.Equal(ProvisioningError.AuthenticationRequired, token.Error);
            Assert.False(renewal.IsTransient);
        }

        await using (var authenticated = await Fixture.ConnectAuthenticatedAsync(fleet, device, enrolled))
        {
            Assert.True(authenticated.IsAuthenticated);
            var renewed = await fleet.RenewAsync(device, authenticated, enrolled);
            Assert.NotEqual(enrolled.Issued.SerialNumber, renewed.Issued.SerialNumber);
            // past the session gate: the group has no token policy, so the grain itself answers
            var token = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(fleet, device, authenticated, renewed));
            Assert.Equal(ProvisioningError.AudienceNotAllowed, token.Error);
            enrolled = renewed;
        }

        // the renewed certificate authenticates the next session
        await using var next = await Fixture.ConnectAuthenticatedAsync(fleet, device, enrolled);
        Assert.True(next.IsConnected);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_refused_request_on_an_enrolment_only_session_writes_nothing_to_the_tenants_audit_log()
    {
        await using var fleet = NewFleet(1);
        var device = fleet.Devices[0];
        var tenant = await Fixture.CreateTenantAsync($"ac-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        await using var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId);
        var enrolled = await fleet.EnrolAsync(device, enrolmentOnly);
        var before = (await Fixture.ReadAuditLogAsync(tenant.TenantId)).Count;

        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(fleet, device, enrolmentOnly, enrolled));

        Assert.Equal(before, (await Fixture.ReadAuditLogAsync(tenant.TenantId)).Count);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task For_every_device_of_every_tenant_a_renewal_or_token_on_an_enrolment_only_session_is_refused_and_changes_nothing()
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        for (var t = 0; t < 3; t++)
        {
            await using var fleet = NewFleet(random.Next(1, 4));
            var tenant = await Fixture.CreateTenantAsync($"ac-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
            foreach (var device in fleet.Devices)
            {
                // a device fresh from enrolment, or one that renewed on its authenticated session since (its first identity superseded)
                var identities = new List<EnrollmentResult>();
                await using (var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId)) identities.Add(await fleet.EnrolAsync(device, enrolmentOnly));
                for (var renewals = random.Next(0, 3); renewals > 0; renewals--)
                {
                    await using var authenticated = await Fixture.ConnectAuthenticatedAsync(fleet, device, identities[^1]);
                    identities.Add(await fleet.RenewAsync(device, authenticated, identities[^1]));
                }
                var before = await DeviceStateAsync(tenant.TenantId, device.DeviceId);
                var audited = (await Fixture.ReadAuditLogAsync(tenant.TenantId)).Count;

                await using (var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId))
                    for (var attempt = random.Next(1, 4); attempt > 0; attempt--)
                    {
                        // with the current identity or a superseded one, a renewal or a token: the session's class alone decides
                        var identity = identities[random.Next(identities.Count)];
                        var renew = random.Next(2) == 0;
                        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() =>
                            renew ? fleet.RenewAsync(device, enrolmentOnly, identity) : TokenAsync(fleet, device, enrolmentOnly, identity));
                        Assert.True(refused.Error == ProvisioningError.AuthenticationRequired,
                            $"seed {seed}: {(renew ? "renewal" : "token")} with serial {identity.Issued.SerialNumber} was refused {refused.Error}");
                    }

                Assert.Equal(before, await DeviceStateAsync(tenant.TenantId, device.DeviceId));
                Assert.True(audited == (await Fixture.ReadAuditLogAsync(tenant.TenantId)).Count, $"seed {seed}: the refusals were written to the tenant's audit log");
                // nothing was consumed either: the current identity still renews on its authenticated session
                await using var session = await Fixture.ConnectAuthenticatedAsync(fleet, device, identities[^1]);
                Assert.NotEqual(identities[^1].Issued.SerialNumber, (await fleet.RenewAsync(device, session, identities[^1])).Issued.SerialNumber);
            }
        }
    }

    /// <summary>What a refused request must leave as it was: the device's status, certificates, attestation and quarantine.</summary>
    private async Task<string> DeviceStateAsync(string tenantId, string deviceId)
    {
        var view = await Fixture.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenantId) ?? throw new InvalidOperationException($"{deviceId} is not {tenantId}'s");
        return string.Join(' ', view.Status, view.CertificateSerial, view.CertificateNotAfter, view.LastAttestedAt, view.Firmware, view.Compliant,
            view.QuarantineFindingId, string.Join(',', view.PastSerials), view.ReattestRequestedAt);
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
            identities[device.DeviceId] = await fleet.EnrolAsync(device, enrolmentOnly);
        }
        var view = Fixture.App.Services.GetRequiredService<RevocationView>();

        await using var session = await Fixture.ConnectAuthenticatedAsync(fleet, victim, identities[victim.DeviceId]);
        var readsAfterFirstConnect = view.Reads;
        for (var i = 0; i < 5; i++)
        {
            await using var other = await Fixture.ConnectAuthenticatedAsync(fleet, bystander, identities[bystander.DeviceId]);
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
        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Fixture.ConnectAuthenticatedAsync(fleet, victim, identities[victim.DeviceId]));
        Assert.Equal(ProvisioningError.NotAuthorized, refused.Error);
        Assert.Equal(readsAfterFirstConnect, view.Reads); // the view was told of the revocation, not reloaded
        // the bystander of the same tenant still connects with its certificate
        await using var still = await Fixture.ConnectAuthenticatedAsync(fleet, bystander, identities[bystander.DeviceId]);
        Assert.True(still.IsAuthenticated);
    }

    /// <summary>
    /// A session outlives the certificate that authenticated it: after a renewal on it that certificate is superseded,
    /// not current. Revoking it — or the device — still closes the session, and only what is not revoked connects again;
    /// the device sees the close on .NET's TLS and on our TLS 1.3 client (the one whose handshake a TPM signs).
    /// </summary>
    [Theory(Timeout = TestTimeout)]
    [InlineData("superseded certificate", false)]
    [InlineData("device", false)]
    [InlineData("superseded certificate", true)]
    [InlineData("device", true)]
    public async Task A_session_that_renewed_on_itself_is_closed_when_its_certificate_or_its_device_is_revoked(string revoked, bool ourTlsClient)
    {
        await using var fleet = NewFleet(1);
        var device = fleet.Devices[0];
        var tenant = await Fixture.CreateTenantAsync($"ac-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        EnrollmentResult first;
        await using (var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId)) first = await fleet.EnrolAsync(device, enrolmentOnly);
        await using var session = ourTlsClient ? await ConnectWithOurTlsClientAsync(fleet, device, first) : await Fixture.ConnectAuthenticatedAsync(fleet, device, first);
        Assert.True(session.IsAuthenticated);
        var renewed = await fleet.RenewAsync(device, session, first);
        Assert.True(session.IsConnected);

        using var http = tenant.Http;
        var revoke = revoked == "device"
            ? await http.PostAsJsonAsync($"/api/v1/devices/{device.DeviceId}/revoke", new { reason = "keyCompromise" })
            : await http.PostAsJsonAsync($"/api/v1/certificates/{first.Issued.SerialNumber}/revoke", new { reason = "keyCompromise" });
        Assert.True(revoke.IsSuccessStatusCode, $"{revoke.StatusCode}: {await revoke.Content.ReadAsStringAsync()}");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (session.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(session.IsConnected, $"the session authenticated by {first.Issued.SerialNumber} is still open after revoking the {revoked}");
        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Fixture.ConnectAuthenticatedAsync(fleet, device, first));
        Assert.Equal(ProvisioningError.NotAuthorized, refused.Error);
        if (revoked == "device")
        {
            Assert.Equal(ProvisioningError.NotAuthorized, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Fixture.ConnectAuthenticatedAsync(fleet, device, renewed))).Error);
        }
        else
        {
            await using var current = await Fixture.ConnectAuthenticatedAsync(fleet, device, renewed);
            Assert.True(current.IsAuthenticated);
        }
    }

    /// <summary>Emulated devices of a manufacturer of their own, so only the test's own tenant trusts them.</summary>
    private Fleet NewFleet(int count) => Fleet.CreateEmulated(Path.Combine(service.FleetDirectory, Guid.NewGuid().ToString("N")), count);

    private static Task<IoTIdentity.Protocol.Messages.TokenResponse> TokenAsync(Fleet fleet, FleetDevice device, EnrollmentClient channel, EnrollmentResult current) =>
        fleet.RunOnTpmAsync(device, async tpm =>
        {
            var request = await new TpmEnrollment(tpm, fleet.OptionsFor(device))
                .SignTokenRequestAsync(device.DeviceId, current.DeviceKey, current.SrkTemplate, current.Issued.SerialNumber, "https://api.example", null);
            return await channel.RequestTokenAsync(request);
        }, CancellationToken.None);

    /// <summary>The session through our TLS 1.3 client, the emulated device's key signing the handshake as a TPM would.</summary>
    private Task<EnrollmentClient> ConnectWithOurTlsClientAsync(Fleet fleet, FleetDevice device, EnrollmentResult identity)
    {
        var key = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(
            fleet.ClientCertificate(device, identity) ?? throw new InvalidOperationException("an emulated device has its key"))!;
        var options = Fixture.ClientOptions();
        options.TpmClientCertificate = () => new IoTIdentity.DeviceAgent.Enrollment.Tls.TpmClientCertificate(identity.Issued.CertificateChain,
            (digest, _) => Task.FromResult(key.SignHash(digest, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence)));
        return EnrollmentClient.ConnectAsync(device.DeviceId, options);
    }

}
