using System.Text;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Tpm.Marshalling;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The device grain and its neighbours in an Orleans test cluster, without the web host or MQTT: refusals come back
/// as values (never exceptions), are audited to the right log, and change nothing durable.
/// </summary>
public sealed class DeviceGrainTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private static int _devices;

    [Fact]
    public async Task A_register_whose_EK_public_area_does_not_parse_is_refused_as_a_value_and_audited_to_no_tenant()
    {
        var deviceId = NewDeviceId();
        var evidence = Encoding.UTF8.GetBytes("register " + deviceId);

        var reply = await Device(deviceId).RegisterAsync(new ProtocolRequest<RegisterRequest>(
            new RegisterRequest { EkPublic = [0x00, 0x23, 0xFF], EkCertificate = [1], AkPublic = [2] }, evidence, "127.0.0.1"));

        Assert.Null(reply.Message);
        Assert.Equal(ProvisioningError.MalformedTpmStructure, reply.Refusal?.Error);
        Assert.Null(reply.Refusal?.RetryAfterSeconds);
        var audited = await UnassignedEntriesAboutAsync(deviceId);
        var entry = Assert.Single(audited);
        Assert.Equal("refused:MalformedTpmStructure", entry.Event.Outcome);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(evidence)), entry.Event.EvidenceDigest);
    }

    [Fact]
    public async Task A_register_whose_EK_does_not_derive_the_device_id_is_refused_NotAuthorized_and_leaves_no_device()
    {
        var deviceId = NewDeviceId();
        using var someKey = SoftwareAttestationKey.CreateEcc();

        var reply = await Device(deviceId).RegisterAsync(new ProtocolRequest<RegisterRequest>(
            new RegisterRequest { EkPublic = TpmMarshal.ToBytes(someKey.PublicArea), EkCertificate = [1], AkPublic = TpmMarshal.ToBytes(someKey.PublicArea) },
            [], null));

        Assert.Equal(ProvisioningError.NotAuthorized, reply.Refusal?.Error);
        Assert.Null(await Device(deviceId).GetAsync("any-tenant"));
        Assert.Single(await UnassignedEntriesAboutAsync(deviceId));
    }

    [Fact]
    public async Task An_attest_without_an_open_challenge_is_refused_NoChallenge_whatever_it_carries()
    {
        var deviceId = NewDeviceId();
        var attest = new AttestRequest
        {
            Nonce = new byte[32], ActivatedSecret = new byte[32], Quote = [], QuoteSignature = [], PcrValues = [],
            DeviceKeyPublic = [], Certify = [], CertifySignature = [], Csr = [],
        };

        var reply = await Device(deviceId).AttestAsync(new ProtocolRequest<AttestRequest>(attest, [], null));

        Assert.Null(reply.Message);
        Assert.Equal(ProvisioningError.NoChallenge, reply.Refusal?.Error);
    }

    [Fact]
    public async Task A_refusal_the_edge_decided_is_audited_for_the_device_and_changes_nothing()
    {
        var deviceId = NewDeviceId();

        await Device(deviceId).RecordRefusalAsync(Topics.Operations.Register, new Refusal(ProvisioningError.MalformedRequest, "request JSON: bad"), "{"u8.ToArray(), "192.0.2.1");

        var entry = Assert.Single(await UnassignedEntriesAboutAsync(deviceId));
        Assert.Equal(Topics.Operations.Register, entry.Event.Action);
        Assert.Equal("refused:MalformedRequest", entry.Event.Outcome);
        Assert.Null(await Device(deviceId).GetAsync("any-tenant"));
    }

    [Fact]
    public async Task Operator_actions_by_a_tenant_that_does_not_own_the_device_change_nothing_and_close_no_session()
    {
        var deviceId = NewDeviceId();
        var device = Device(deviceId);

        Assert.False(await device.SetDisabledAsync("not-the-owner", disabled: true, "key:x"));
        Assert.False(await device.RevokeAsync("not-the-owner", CrlReason.KeyCompromise, "key:x"));
        Assert.Equal(CertificateRevocationOutcome.NotFound, await device.RevokeCertificateAsync("not-the-owner", "00ff", CrlReason.Unspecified, "key:x"));
        Assert.Null(await device.GetCertificateAsync("not-the-owner", "00ff"));
        Assert.Null(await device.GetOwnershipAsync("not-the-owner"));

        Assert.DoesNotContain(deviceId, cluster.Sessions.Closed);
        Assert.Empty(await UnassignedEntriesAboutAsync(deviceId));
    }

    [Fact]
    public async Task A_tenant_announces_each_new_revocation_to_the_silos_once_and_lists_every_revoked_serial()
    {
        var tenantId = $"rv-{Interlocked.Increment(ref _devices)}-{Guid.NewGuid():N}"[..20];
        var tenant = cluster.Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("revocations");
        var at = DateTimeOffset.UtcNow;

        await tenant.RevokeCertificatesAsync(RevocationRecord.For("d1", ["0a01", "0a02"], CrlReason.KeyCompromise, at));
        await tenant.RevokeCertificatesAsync(RevocationRecord.For("d1", ["0a02", "0a03"], CrlReason.KeyCompromise, at)); // 0a02 again
        await tenant.RevokeCertificatesAsync(RevocationRecord.For("d1", ["0a01"], CrlReason.KeyCompromise, at));         // nothing new

        var announced = cluster.Sessions.Revoked.Where(r => r.TenantId == tenantId).Select(r => r.Serials.Order().ToArray()).ToList();
        Assert.Equal([["0a01", "0a02"], ["0a03"]], announced);
        Assert.Equal(["0a01", "0a02", "0a03"], (await tenant.GetRevokedSerialsAsync()).Order());
        Assert.Empty(await cluster.Grains.GetGrain<ITenantGrain>($"{tenantId}-none").GetRevokedSerialsAsync());
    }

    [Fact]
    public async Task The_enrolment_directory_lists_a_group_by_its_key_while_it_exists()
    {
        var key = new GroupKey($"t-{Interlocked.Increment(ref _devices)}", "line-1");
        var group = cluster.Grains.GetGroupGrain(key);

        var stored = await group.SetPolicyAsync(new EnrollmentPolicy { TenantId = "ignored", GroupId = "ignored" });
        Assert.Equal((key.TenantId, key.GroupId), (stored.TenantId, stored.GroupId));
        Assert.Contains(key, (await Directory().GetAsync()).Groups);

        Assert.True(await group.DeleteAsync());
        Assert.DoesNotContain(key, (await Directory().GetAsync()).Groups);
        Assert.Equal(key, GroupKey.Parse(key.ToString()));
    }

    private IDeviceGrain Device(string deviceId) => cluster.Grains.GetGrain<IDeviceGrain>(deviceId);

    private IEnrollmentDirectoryGrain Directory() => cluster.Grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key);

    private async Task<List<Storage.AuditEntry>> UnassignedEntriesAboutAsync(string deviceId) =>
        [.. (await cluster.Store.ReadAuditAsync(AuditTrail.Unassigned, 1, 500)).Where(e => e.Event.Subject == deviceId)];

    private static string NewDeviceId() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        BitConverter.GetBytes(Interlocked.Increment(ref _devices) + Environment.TickCount64)));
}
