using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Abstractions;
using Org.BouncyCastle.X509;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// An ownership transfer of a real device: the agent daemon on its own swtpm, enrolled by tenant A, handed to
/// tenant B through the management API, re-keyed and re-attested without anyone touching it — by the transfer's command on
/// its authenticated session, or, when A's certificate is revoked at acceptance, by noticing the refused certificate.
/// </summary>
public sealed class TransferEndToEndTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_transferred_device_is_rekeyed_for_the_new_owner_and_the_old_owner_is_cut_off()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        var daemon = device.NewDaemon();
        await daemon.StartAsync(CancellationToken.None);
        try
        {
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null), Patience, "first enrolment");
            await Task.Delay(500);   // the daemon's connection is subscribed to its command topic
            var before = device.Store.Load()!;
            var a = device.Tenant;
            var b = await service.CreateTenantAsync($"b-{Guid.NewGuid():N}"[..20], [device.Swtpm.ManufacturerCa.RootDer]);
            using var aHttp = a.Http;
            using var bHttp = b.Http;

            // before: A sees the device, B does not
            Assert.Equal(HttpStatusCode.OK, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);

            var created = await aHttp.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var transfer = (await created.Content.ReadFromJsonAsync<TransferView>())!;
            Assert.Equal(TransferStatus.Pending, transfer.State);
            var accepted = await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "default" });
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

            // the device re-enrols by itself, and the transfer reports it
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.Owner == b.TenantId), Patience, "re-enrolment for B");
            var done = await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.State == TransferStatus.Completed, Patience, "the transfer completes");
            var after = device.Store.Load()!;
            var progress = Assert.Single(done.Devices);
            Assert.Equal(TransferDeviceState.Reenrolled, progress.State);
            Assert.Equal(after.Metadata.SerialNumber, progress.NewSerialNumber);

            // after: B sees it; A gets not-found on every call about it
            var view = await bHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}");
            Assert.Equal(DeviceStatus.Active, view!.Status);
            Assert.Equal(after.Metadata.SerialNumber, view.CertificateSerial);
            Assert.Equal(HttpStatusCode.NotFound, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await aHttp.PostAsync($"/api/v1/devices/{device.DeviceId}/disable", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await aHttp.PostAsync($"/api/v1/devices/{device.DeviceId}/revoke", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}/ownership")).StatusCode);

            // a new TPM key, certified by B's CA, chaining to B's root
            Assert.NotEqual(before.DeviceKey.Public.Raw, after.DeviceKey.Public.Raw);
            var bCa = (await service.Grains.GetGrain<ITenantGrain>(b.TenantId).GetCaAsync())!;
            using var leaf = X509CertificateLoader.LoadCertificate(after.Metadata.CertificateChain[0]);
            using var issuing = X509CertificateLoader.LoadCertificate(after.Metadata.CertificateChain[1]);
            using var bRoot = X509CertificateLoader.LoadCertificate(bCa.RootCertificate);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(bRoot);
            chain.ChainPolicy.ExtraStore.Add(issuing);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

            // A's certificate is on A's CRL (signed by A's issuing CA)
            var crlBytes = await service.Http.GetByteArrayAsync($"/crl/{a.TenantId}.crl");
            var crl = new X509CrlParser().ReadCrl(crlBytes);
            var aIssuing = new X509CertificateParser().ReadCertificate(before.Metadata.CertificateChain[1]);
            crl.Verify(aIssuing.GetPublicKey());
            Assert.NotNull(crl.GetRevokedCertificate(new Org.BouncyCastle.Math.BigInteger(before.Metadata.SerialNumber, 16)));
            Assert.Null(crl.GetRevokedCertificate(new Org.BouncyCastle.Math.BigInteger(after.Metadata.SerialNumber, 16)));

            // A's live MQTT session was closed (the endpoint counted the session it closed into A's audit log)
            await AgentHarness.EventuallyAsync(async () => (await service.ReadAuditLogAsync(a.TenantId))
                .Any(e => e.Event.Action == "transfer-cutoff" && e.Event.Subject == device.DeviceId && e.Event.Details!["sessionsClosed"] != "0"),
                TimeSpan.FromSeconds(15), "the old session closed");

            // the ownership record verifies against the tenants' published keys and names A, then B
            var json = await bHttp.GetByteArrayAsync($"/api/v1/devices/{device.DeviceId}/ownership");
            var document = OwnershipDocument.Parse(json);
            var keys = new Dictionary<string, ECDsa>();
            foreach (var tenant in new[] { a.TenantId, b.TenantId })
            {
                var key = ECDsa.Create();
                key.ImportFromPem(await service.Http.GetStringAsync($"/api/v1/tenants/{tenant}/ownership-key"));
                keys[tenant] = key;
            }
            var verified = OwnershipChainVerifier.Verify(document, keys);
            Assert.True(verified.IsValid, verified.Detail);
            Assert.Equal([a.TenantId, b.TenantId], verified.Owners);
            foreach (var key in keys.Values) key.Dispose();

            // both audit logs record each step
            foreach (var tenant in new[] { a.TenantId, b.TenantId })
            {
                var actions = (await service.ReadAuditLogAsync(tenant)).Select(e => e.Event.Action).ToList();
                Assert.Contains("transfer-create", actions);
                Assert.Contains("transfer-accept", actions);
                Assert.Contains("transfer-handover", actions);
                Assert.Contains("transfer-reenrolled", actions);
                Assert.Contains("transfer-complete", actions);
            }
        }
        finally
        {
            await daemon.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task With_revocation_at_acceptance_the_daemon_whose_certificate_is_refused_re_enrols_for_the_new_owner_at_once()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        var log = new ListLogger<AgentDaemon>();
        var daemon = new AgentDaemon(device.NewAgent(), new CommandVerifier(), log);
        await daemon.StartAsync(CancellationToken.None);
        try
        {
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null
                && device.NewAgent().Status().Session == SessionRecord.AuthenticatedClass), Patience, "first enrolment, then the authenticated session");
            var before = device.Store.Load()!;
            var b = await service.CreateTenantAsync($"b-{Guid.NewGuid():N}"[..20], [device.Swtpm.ManufacturerCa.RootDer]);
            using var aHttp = device.Tenant.Http;
            using var bHttp = b.Http;
            var created = await aHttp.PostAsJsonAsync("/api/v1/transfers",
                new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId }, revokeOldCertificateAt = "acceptance" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var transfer = (await created.Content.ReadFromJsonAsync<TransferView>())!;
            Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "default" })).StatusCode);

            // A's certificate is revoked and the session closed at acceptance; the daemon's reconnect with it is refused,
            // and with no session on which a renewal or the transfer's command could reach it, it enrols again at once —
            // long before its renewal time (a ten-minute certificate)
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()?.Metadata.Owner == b.TenantId), Patience,
                () => $"re-enrolment for B; the daemon logged:\n{string.Join("\n", log.Lines)}");
            var done = await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.State == TransferStatus.Completed, Patience, "the transfer completes");
            Assert.Equal(device.Store.Load()!.Metadata.SerialNumber, Assert.Single(done.Devices).NewSerialNumber);
            Assert.Contains(log.Lines, l => l.Contains($"The certificate {before.Metadata.SerialNumber} opens no authenticated session", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("Executing command", StringComparison.Ordinal));
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.NewAgent().Status().Session == SessionRecord.AuthenticatedClass),
                Patience, "an authenticated session with B's certificate");
        }
        finally
        {
            await daemon.StopAsync(CancellationToken.None);
        }
    }
}
