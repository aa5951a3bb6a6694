using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Protocol.Ownership;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// <c>iotid vouchers list|put|delete</c> and <c>iotid devices links|link|unlink</c> against the real service: what they
/// change is what the API shows, and a refused or unreadable voucher changes nothing.
/// </summary>
public sealed class CliVoucherAndLinkTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-voucher-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", tenant.AdminKey]);

    private static string NewDeviceId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>A voucher file for <paramref name="deviceId"/> and the tenant, signed by the tenant's manufacturer.</summary>
    private async Task<string> VoucherFileAsync(FleetTenant tenant, string deviceId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(fleet.Url) };
        var pem = await http.GetStringAsync($"/api/v1/tenants/{tenant.TenantId}/ownership-key");
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var voucher = OwnershipVouchers.Create(deviceId, Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]), signer,
            tenant.Manufacturer.IssueSigningCertificate(signer));
        var path = Path.Combine(_folder, $"{deviceId[..8]}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(voucher, ManagementJson.Default.OwnershipVoucher));
        return path;
    }

    [Fact]
    public async Task Vouchers_put_list_and_delete_go_through_the_service_and_a_refused_or_unreadable_voucher_changes_nothing()
    {
        var tenant = await fleet.NewTenantAsync();
        var (covered, other) = (NewDeviceId(), NewDeviceId());

        Assert.Contains(covered, (await Iotid(tenant, "vouchers", "put", covered, await VoucherFileAsync(tenant, covered))).Exited(0).Out);
        // a voucher signed for one device, uploaded for another, is refused with the reason
        Assert.Contains("WrongDevice", (await Iotid(tenant, "vouchers", "put", other, await VoucherFileAsync(tenant, covered))).Exited(1).Error);
        var unreadable = Path.Combine(_folder, "not-a-voucher.json");
        await File.WriteAllTextAsync(unreadable, "{not json");
        Assert.Contains("not a voucher", (await Iotid(tenant, "vouchers", "put", other, unreadable)).Exited(2).Error);

        using (var listed = JsonDocument.Parse((await Iotid(tenant, "vouchers", "list", "--json")).Exited(0).Out))
            Assert.Equal([covered], listed.RootElement.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("deviceId").GetString()));
        Assert.Contains(covered, (await Iotid(tenant, "vouchers", "list")).Exited(0).Out);
        // another tenant lists none of them
        Assert.DoesNotContain(covered, (await Iotid(await fleet.NewTenantAsync(), "vouchers", "list")).Exited(0).Out);

        (await Iotid(tenant, "vouchers", "delete", covered)).Exited(0);
        Assert.DoesNotContain(covered, (await Iotid(tenant, "vouchers", "list")).Exited(0).Out);
        (await Iotid(tenant, "vouchers", "delete", covered)).Exited(1);
    }

    [Fact]
    public async Task Devices_link_shows_on_both_sides_in_devices_links_and_unlink_removes_both()
    {
        var tenant = await fleet.NewTenantAsync();
        var a = await fleet.EnrollDeviceAsync(tenant);
        var b = await fleet.EnrollDeviceAsync(tenant);

        (await Iotid(tenant, "devices", "link", a, b)).Exited(0);
        var fromA = (await Iotid(tenant, "devices", "links", a)).Exited(0).Out;
        Assert.Contains(b, fromA);
        Assert.Contains("operator", fromA);
        Assert.Contains(a, (await Iotid(tenant, "devices", "links", b)).Exited(0).Out);
        (await Iotid(tenant, "devices", "link", a, a)).Exited(1);
        // the list shows each side's link in its LINKS column (the last): the whole ids with --wide, the other row's shown prefix without
        var wide = Rows((await Iotid(tenant, "devices", "list", "--wide")).Exited(0).Out);
        Assert.Contains(wide, cells => cells.Contains("TAGS") && cells[^1] == "LINKS");
        Assert.Equal(b, wide.Single(cells => cells[0] == a)[^1]);
        Assert.Equal(a, wide.Single(cells => cells[0] == b)[^1]);
        var narrow = Rows((await Iotid(tenant, "devices", "list")).Exited(0).Out);
        var rowOfA = narrow.Single(cells => cells[0].Length >= 4 && a.StartsWith(cells[0], StringComparison.Ordinal));
        var rowOfB = narrow.Single(cells => cells[0].Length >= 4 && b.StartsWith(cells[0], StringComparison.Ordinal));
        Assert.Equal(rowOfB[0], rowOfA[^1]);
        Assert.Equal(rowOfA[0], rowOfB[^1]);

        (await Iotid(tenant, "devices", "unlink", a, b)).Exited(0);
        Assert.DoesNotContain(b, (await Iotid(tenant, "devices", "links", a)).Exited(0).Out);
        Assert.DoesNotContain(a, (await Iotid(tenant, "devices", "links", b)).Exited(0).Out);
        Assert.DoesNotContain(b, Rows((await Iotid(tenant, "devices", "list", "--wide")).Exited(0).Out).Single(cells => cells[0] == a));
    }

    /// <summary>A table's lines split on spaces: only the first cell (the device) and the last (its links) are read, since inner cells (times) hold spaces.</summary>
    private static List<string[]> Rows(string table) =>
        [.. table.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(cells => cells.Length > 0)];
}
