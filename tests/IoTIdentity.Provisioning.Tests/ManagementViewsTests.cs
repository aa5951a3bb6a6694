using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IoTIdentity.Provisioning.Host.Api;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The API answers with the shared management records instead of the grain and store views it serialized before:
/// under the service's HTTP JSON options (web defaults, enums as strings) each record writes the very bytes its view
/// wrote.
/// </summary>
public sealed class ManagementViewsTests
{
    private static readonly JsonSerializerOptions Http = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_API_key_and_a_new_key_write_what_the_grain_views_wrote()
    {
        var key = new ApiKeyView("k1", null, ApiRole.OwnerAdmin, T0, T0.AddMinutes(5), null);
        var created = new CreatedApiKey("k2", "iotid.acme.k2.secret", ApiRole.Operator);

        Assert.Equal(Write(key), Write(key.ToContract()));
        Assert.Equal(Write(created), Write(created.ToContract()));
    }

    [Fact]
    public void A_device_its_inventory_page_and_a_certificate_write_what_the_views_wrote()
    {
        var device = new DeviceView
        {
            DeviceId = "d1", TenantId = "acme", Status = DeviceStatus.Transferring, GroupId = "sensors", CertificateSerial = "0a1b",
            CertificateNotAfter = T0.AddDays(30), EnrolledAt = T0, LastAttestedAt = null, Pcrs = new Dictionary<int, string> { [0] = "00", [7] = "ff" },
            PastSerials = ["09"], Firmware = "acme-sensor 1.1.0", Compliant = false, Tpm = "id:53575450/subject-serialNumber/3031",
            Links = [new DeviceLink("d2", DeviceLink.EkCertificates)],
        };
        var page = new DevicePage([new DeviceRecord("acme", "d1", "Active", null, "0a1b", T0.AddDays(30), true, T0)], "next");
        var certificate = new CertificateView { SerialNumber = "0a1b", DeviceId = "d1", NotBefore = T0, NotAfter = null, Revoked = true, Reason = "keyCompromise", RevokedAt = T0 };

        Assert.Equal(Write(device), Write(device.ToContract()));
        Assert.Equal(Write(page), Write(page.ToContract()));
        Assert.Equal(Write(certificate), Write(certificate.ToContract()));
    }

    [Fact]
    public void A_transfer_writes_what_the_grain_view_wrote()
    {
        var transfer = new TransferView
        {
            TransferId = "0123456789abcdef0123456789abcdef", SourceTenantId = "acme", TargetTenantId = "globex", State = TransferStatus.Accepted,
            CreatedAt = T0, ExpiresAt = T0.AddHours(72), AcceptedAt = T0.AddHours(1), CompletedAt = null, RevokeOldCertificateAt = "acceptance",
            GroupId = null, Counts = new TransferCounts(0, 1, 0, 1),
            Devices =
            [
                new TransferDeviceProgress { DeviceId = "d1", State = TransferDeviceState.CommandSent, UpdatedAt = T0 },
                new TransferDeviceProgress { DeviceId = "d2", State = TransferDeviceState.Failed, UpdatedAt = T0, Error = "revoked" },
            ],
        };

        Assert.Equal(Write(transfer), Write(transfer.ToContract()));
    }

    [Fact]
    public void An_audit_entry_and_the_chain_check_write_what_the_store_wrote()
    {
        var entry = new AuditEntry("acme", 3, new AuditEvent
        {
            Action = "revoke", Subject = "d1", Outcome = "allowed", EvidenceDigest = null, Actor = "k1", At = T0,
            Details = new Dictionary<string, string> { ["reason"] = "keyCompromise" },
        }, new string('0', 64), new string('a', 64));
        var broken = new AuditChainVerification(false, 4, 3, AuditChainFault.PreviousHashMismatch, "entry 3 does not follow entry 2");

        Assert.Equal(Write(entry), Write(entry.ToContract()));
        Assert.Equal(Write(broken), Write(broken.ToContract()));
    }

    [Fact]
    public void A_group_writes_its_allowed_firmware_as_the_manifests_of_its_stored_releases()
    {
        var manifest = FirmwareSamplesOnDisk.Manifest("1.1.0");
        var policy = new EnrollmentPolicy { TenantId = "acme", GroupId = "sensors", AllowedFirmware = [FirmwareRelease.From(manifest)], Quota = 3 };

        var json = JsonNode.Parse(Write(policy.ToContract(2)))!.AsObject();

        Assert.Equal(["trustedRootsPem", "pcrIndices", "allowedPcrValues", "certificateLifetimeSeconds", "quota", "enabled", "individualOnly",
            "allowedFirmware", "deviceCount"], json.Select(p => p.Key));
        // what the group's DTO wrote before: each stored release as a manifest (file names are not stored)
        Assert.Equal(JsonSerializer.Serialize(policy.AllowedFirmware.Select(r => r.ToManifest()).ToList(), Http), json["allowedFirmware"]!.ToJsonString());
        Assert.Equal(2, json["deviceCount"]!.GetValue<int>());
    }

    [Fact]
    public void A_group_whose_firmware_is_not_a_manifest_is_refused_with_the_firmware_problem()
    {
        var group = new Protocol.Management.EnrollmentGroup { AllowedFirmware = [JsonDocument.Parse("""{"product":"acme","version":1}""").RootElement] };

        Assert.Equal("allowedFirmware releases need a product, a version and components", EnrollmentGroups.ReadFirmware(group, out var releases));
        Assert.Empty(releases);
    }

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, Http);
}
