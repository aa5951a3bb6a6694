using System.Text.Json.Nodes;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// <c>iotid ownership export</c> and <c>iotid ownership verify</c> against the real service: the document a device's
/// first enrolment wrote verifies offline (with the document's keys, a pinned key or keys fetched from the service),
/// and a tampered signature or another owner's pinned key does not.
/// </summary>
public sealed class CliOwnershipTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-own-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", tenant.AdminKey]);

    private async Task<string> OwnershipKeyFileAsync(string tenantId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(fleet.Url) };
        var path = Path.Combine(_folder, $"{tenantId}.pem");
        await File.WriteAllTextAsync(path, await http.GetStringAsync($"/api/v1/tenants/{tenantId}/ownership-key"));
        return path;
    }

    [Fact]
    public async Task An_exported_ownership_document_verifies_with_its_own_pinned_and_fetched_keys()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);
        var document = Path.Combine(_folder, "ownership.json");

        (await Iotid(tenant, "ownership", "export", deviceId, "--out", document)).Exited(0);

        var own = (await Iotid(tenant, "ownership", "verify", document)).Exited(0);
        Assert.Contains($"valid: owners {tenant.TenantId}", own.Out);
        (await Iotid(tenant, "ownership", "verify", document, "--owner-key", $"{tenant.TenantId}={await OwnershipKeyFileAsync(tenant.TenantId)}")).Exited(0);
        var fetched = (await Iotid(tenant, "ownership", "verify", document, "--fetch-keys")).Exited(0);
        Assert.DoesNotContain("keys from the document itself", fetched.Out);
    }

    [Fact]
    public async Task A_tampered_signature_or_another_owners_pinned_key_fails_verification()
    {
        var tenant = await fleet.NewTenantAsync();
        var other = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);
        var document = Path.Combine(_folder, "ownership.json");
        (await Iotid(tenant, "ownership", "export", deviceId, "--out", document)).Exited(0);

        var wrongKey = (await Iotid(tenant, "ownership", "verify", document, "--owner-key", $"{tenant.TenantId}={await OwnershipKeyFileAsync(other.TenantId)}")).Exited(1);
        Assert.Contains("does not verify", wrongKey.Error);

        var json = JsonNode.Parse(await File.ReadAllTextAsync(document))!;
        var entry = json["entries"]![0]!;
        var signature = entry["signature"]!.GetValue<string>();
        entry["signature"] = (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        var tampered = Path.Combine(_folder, "tampered.json");
        await File.WriteAllTextAsync(tampered, json.ToJsonString());
        var refused = (await Iotid(tenant, "ownership", "verify", tampered)).Exited(1);
        Assert.Contains("BadSignature", refused.Error);
    }

    [Fact]
    public async Task A_document_naming_a_tenant_the_service_has_no_key_for_is_invalid_not_not_found()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);
        var document = Path.Combine(_folder, "ownership.json");
        var export = (await Iotid(tenant, "ownership", "export", deviceId[..16], "--out", document)).Exited(0);
        Assert.Contains($"owners {tenant.TenantId}", export.Error);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(document))!;
        foreach (var entry in json["entries"]!.AsArray())
        {
            entry!["ownerTenantId"] = "ghost-tenant";
            entry["signerTenantId"] = "ghost-tenant";
        }
        var forged = Path.Combine(_folder, "forged.json");
        await File.WriteAllTextAsync(forged, json.ToJsonString());

        var run = (await Iotid(tenant, "ownership", "verify", forged, "--fetch-keys")).Exited(1);

        Assert.Contains("ownership document is invalid", run.Error);
        Assert.Contains("ghost-tenant", run.Error);
        Assert.DoesNotContain("NotFound", run.Error);
    }
}
