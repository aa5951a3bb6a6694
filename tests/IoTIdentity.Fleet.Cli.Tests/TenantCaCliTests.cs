using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary><c>iotid tenant ca show</c> and <c>tenant ca rotate</c> against the real service.</summary>
public sealed class TenantCaCliTests(FleetFixture fleet) : IClassFixture<FleetFixture>
{
    private Task<CliRun> Iotid(string key, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", key]);

    [Fact]
    public async Task Tenant_ca_rotate_issues_from_a_new_CA_keeps_the_old_one_and_is_refused_to_an_operator()
    {
        var tenant = await fleet.NewTenantAsync();
        using var before = JsonDocument.Parse((await Iotid(tenant.AdminKey, "tenant", "ca", "show", "--json")).Exited(0).Out);
        var first = before.RootElement.GetProperty("issuingCas")[0].GetProperty("serialNumber").GetString()!;

        var operatorKey = await fleet.KeyAsync(tenant, ApiRole.Operator);
        Assert.Contains("Forbidden", (await Iotid(operatorKey, "tenant", "ca", "rotate")).Exited(1).Error);

        var rotated = (await Iotid(tenant.AdminKey, "tenant", "ca", "rotate")).Exited(0).Out;
        Assert.Contains("now issuing from", rotated);
        using var after = JsonDocument.Parse((await Iotid(tenant.AdminKey, "tenant", "ca", "show", "--json")).Exited(0).Out);
        var cas = after.RootElement.GetProperty("issuingCas").EnumerateArray().ToList();
        Assert.Equal(["current", "retired"], cas.Select(c => c.GetProperty("status").GetString()));
        Assert.Equal(first, cas[1].GetProperty("serialNumber").GetString());
        Assert.NotEqual(first, cas[0].GetProperty("serialNumber").GetString());
    }
}
