using System.Security.Cryptography;
using System.Text.Json;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// The gaps a new user found, closed end to end against the real service with swtpm devices: filters that match
/// nothing are errors naming what would, the group filter works, devices are found by a prefix of their id and by
/// their tags, and individual enrolments are imported from a CSV (ids and EK certificate files) and listed.
/// </summary>
public sealed class CliFleetGapsTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-gaps-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", tenant.AdminKey]);

    [Fact]
    public async Task Filter_values_that_match_nothing_are_refused_naming_the_valid_ones()
    {
        var tenant = await fleet.NewTenantAsync();

        var state = (await Iotid(tenant, "devices", "list", "--state", "Bogus")).Exited(1);
        var group = (await Iotid(tenant, "devices", "list", "--group", "nope")).Exited(1);
        var action = (await Iotid(tenant, "audit", "query", "--action", "enrol")).Exited(1);

        Assert.Contains("Unknown, Challenged, Active, Transferring, Disabled, Revoked", state.Error);
        Assert.Contains("(default)", group.Error);
        Assert.Contains("register, attest", action.Error);
        Assert.Empty(state.Out + group.Out + action.Out);
    }

    [Fact]
    public async Task Devices_are_listed_by_group_and_tag_and_found_by_a_prefix_of_their_id()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);

        (await Iotid(tenant, "devices", "tag", deviceId[..10], "site:berlin", "floor=2")).Exited(0);
        var byGroup = (await Iotid(tenant, "devices", "list", "--group", "default", "--json")).Exited(0);
        var byTag = (await Iotid(tenant, "devices", "list", "--tag", "site:berlin")).Exited(0);
        var get = (await Iotid(tenant, "devices", "get", deviceId[..10])).Exited(0);

        using (var page = JsonDocument.Parse(byGroup.Out))
            Assert.Equal([deviceId], page.RootElement.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()));
        Assert.Contains(deviceId[..12], byTag.Out);
        Assert.Contains("floor=2 site:berlin", get.Out);
        Assert.Contains(deviceId, get.Out);
    }

    [Fact]
    public async Task Individual_enrolments_are_imported_from_a_csv_row_by_row_and_listed()
    {
        var tenant = await fleet.NewTenantAsync();
        var byId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var certificate = tenant.Manufacturer.IssueEkCertificate(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportParameters(false));
        await File.WriteAllTextAsync(Path.Combine(_folder, "ek.pem"), PemEncoding.WriteString("CERTIFICATE", certificate));
        var csv = Path.Combine(_folder, "devices.csv");
        await File.WriteAllTextAsync(csv, $"deviceId,ekCertificate,enabled\n{byId},,false\n,ek.pem,\nnot-an-id,,\n");

        var import = (await Iotid(tenant, "enrollments", "import", csv, "--group", "default")).Exited(1);
        var list = (await Iotid(tenant, "enrollments", "list", "--json")).Exited(0);

        Assert.Contains("2 enrolled, 1 refused", import.Error);
        Assert.Contains("MalformedRequest", import.Out);
        using var page = JsonDocument.Parse(list.Out);
        var listed = page.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        Assert.Contains(listed, e => e.GetProperty("deviceId").GetString() == byId && !e.GetProperty("enabled").GetBoolean());
    }
}
