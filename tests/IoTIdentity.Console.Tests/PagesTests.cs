using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>Every console page against the real service with real swtpm devices enrolled, in a real browser.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PagesTests(ConsoleFixture console)
{
    public static TheoryData<int, int, string> Viewports => new() { { 1280, 800, "desktop" }, { 390, 844, "phone" } };

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Every_page_renders_its_data_without_browser_errors_or_serious_accessibility_violations(int width, int height, string name)
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var devices = new[] { await console.Fleet.EnrollDeviceAsync(tenant), await console.Fleet.EnrollDeviceAsync(tenant) };
        using (var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey))
            await api.SetDeviceTagsAsync(devices[0], ["site:berlin", "line=3"]);
        await using var session = await console.OpenAsync(width, height);
        await session.SignInAsync(tenant.AdminKey);

        var pages = new (string Path, string Heading, string Expect)[]
        {
            ("/console", "Overview", "Devices by state"),
            ("/console/inventory", "Inventory", devices[0][..16]),
            ($"/console/devices/{devices[0]}", "Device", devices[0]),
            ("/console/groups", "Groups", "Trusted TPM manufacturer roots"),
            ("/console/enrollments", "Enrolments", "Import individual enrolments"),
            ("/console/transfers", "Transfers", "New transfer"),
            ("/console/audit", "Audit", "attest"),
            ("/console/findings", "Findings", "No findings."),
            ("/console/tenant", "Tenant settings", tenant.TenantId),
            ("/console/api-keys", "API keys", "OwnerAdmin"),
        };
        foreach (var (path, heading, expect) in pages)
        {
            await session.GoAsync(path, heading);
            await Assertions.Expect(session.Page.Locator("main")).ToContainTextAsync(expect);
            await session.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, $"{path.Split('/').Last(s => s.Length > 0 && s.Length < 40)}-{name}.png"), FullPage = true });
            var axe = await session.Page.RunAxe();
            var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{path}: {v.Id} {v.Help}: {string.Join(" | ", v.Nodes.Select(n => $"{n.Target} {n.Html}"))}").ToList();
            Assert.True(serious.Count == 0, string.Join("\n", serious));
        }
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task The_device_page_verifies_the_ownership_chain_and_lists_certificates_and_attestations()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(tenant);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);

        await session.GoAsync($"/console/devices/{device}", "Device");

        await Assertions.Expect(session.Page.GetByTestId("ownership")).ToContainTextAsync($"Verified in this page with the owners' published keys: {tenant.TenantId}");
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        var attestation = Assert.Single((await api.GetDeviceAttestationsAsync(device)).Value);
        var history = session.Page.GetByTestId("attestations");
        await Assertions.Expect(history).ToContainTextAsync(attestation.SerialNumber!);
        await Assertions.Expect(history).ToContainTextAsync("enroll");
        foreach (var (index, value) in attestation.Pcrs) await Assertions.Expect(history).ToContainTextAsync($"{index}: {value}");
        await Assertions.Expect(session.Page.Locator("main")).ToContainTextAsync("current");
    }

    [Fact]
    public async Task Re_attesting_a_device_asks_for_confirmation_and_then_the_page_and_the_API_show_the_open_request()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(tenant);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(await console.Fleet.KeyAsync(tenant, ApiRole.Operator));
        await session.GoAsync($"/console/devices/{device}", "Device");
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);

        await session.Page.GetByTestId("reattest").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.Null((await api.GetDeviceAsync(device)).Value.ReattestRequestedAt);

        await session.Page.GetByTestId("reattest").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Re-attest" }).ClickAsync();

        var status = session.Page.GetByTestId("reattest-status");
        await Assertions.Expect(status).ToContainTextAsync("Re-attestation asked");
        await Assertions.Expect(session.Page.Locator("body")).ToContainTextAsync("the command was sent");
        var asked = (await api.GetDeviceAsync(device)).Value.Reattest;
        Assert.Equal(Protocol.Management.ReattestStatus.Requested, asked?.State);
        await Assertions.Expect(status).ToContainTextAsync(asked!.RequestedAt.ToString("u"));
        // the enrolled device is not connected: no answer yet, and the page says so
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "requested");
        await Assertions.Expect(status).ToContainTextAsync("no answer yet (the device is not connected");
        await session.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, "device-reattest-desktop.png"), FullPage = true });
        var audit = (await api.QueryAuditAsync(new Protocol.Management.AuditFilter(DeviceId: device, Action: "reattest"))).Value.Items;
        Assert.Single(audit);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task Revoking_a_device_asks_for_confirmation_and_then_the_API_shows_it_revoked_with_the_reason()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(tenant);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);
        await session.GoAsync($"/console/devices/{device}", "Device");

        await session.Page.GetByLabel("Revocation reason").ClickAsync();
        await session.Page.GetByRole(AriaRole.Option, new() { Name = "keyCompromise" }).ClickAsync();
        await Assertions.Expect(session.Page.GetByLabel("Revocation reason")).ToContainTextAsync("keyCompromise");   // the circuit took the choice
        await session.Page.GetByTestId("revoke").ClickAsync();
        var dialog = session.Page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("keyCompromise");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        Assert.Equal("Active", (await api.GetDeviceAsync(device)).Value.Status);

        await session.Page.GetByTestId("revoke").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Assertions.Expect(session.Page.Locator("main")).ToContainTextAsync("revoked (keyCompromise)");
        var details = (await api.GetDeviceAsync(device)).Value;
        Assert.Equal("Revoked", details.Status);
        Assert.True((await api.GetCertificateAsync(details.CertificateSerial!)).Value.Revoked);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task A_transfer_created_from_an_inventory_selection_is_accepted_by_the_target_tenant_in_a_second_browser_context()
    {
        var source = await console.Fleet.NewTenantAsync();
        var target = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(source);
        await using var seller = await console.OpenAsync();
        await using var buyer = await console.OpenAsync();
        await seller.SignInAsync(source.AdminKey);
        await buyer.SignInAsync(target.AdminKey);

        await seller.GoAsync("/console/inventory", "Inventory");
        await seller.Page.Locator("tbody tr").First.GetByRole(AriaRole.Checkbox).CheckAsync();
        await seller.Page.GetByRole(AriaRole.Button, new() { Name = "Transfer 1 selected" }).ClickAsync();
        await seller.Page.GetByRole(AriaRole.Heading, new() { Name = "Transfers", Exact = true }).WaitForAsync();
        await seller.WaitForCircuitAsync();
        await Assertions.Expect(seller.Page.GetByLabel("Device ids (one per line, or comma-separated)")).ToHaveValueAsync(device);
        await seller.Page.GetByLabel("Target tenant").FillAsync(target.TenantId);
        await seller.Page.GetByRole(AriaRole.Button, new() { Name = "Create transfer" }).ClickAsync();
        await seller.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(seller.Page.GetByTestId("transfer-progress")).ToContainTextAsync("Pending");

        await buyer.GoAsync("/console/transfers", "Transfers");
        await buyer.Page.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await buyer.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        await Assertions.Expect(buyer.Page.GetByTestId("transfer-progress")).ToContainTextAsync("Accepted");
        await Assertions.Expect(seller.Page.GetByTestId("transfer-progress")).ToContainTextAsync("Accepted");
        await buyer.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, "transfer-accepted-desktop.png"), FullPage = true });
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, target.AdminKey);
        var transfer = Assert.Single((await api.ListTransfersAsync("incoming")).Value.Items);
        Assert.Equal("Accepted", transfer.State);
        Assert.Equal(device, Assert.Single(transfer.Devices).DeviceId);
        Assert.Empty(seller.Errors);
        Assert.Empty(buyer.Errors);
    }

    [Fact]
    public async Task The_tenant_page_shows_the_quota_in_use_and_an_owner_admin_changes_it_after_confirming()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        await console.Fleet.EnrollDeviceAsync(tenant);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);
        await session.GoAsync("/console/tenant", "Tenant settings");
        await Assertions.Expect(session.Page.GetByTestId("quota")).ToContainTextAsync("1 devices of no limit");
        await Assertions.Expect(session.Page.GetByTestId("monitoring")).ToContainTextAsync("Version");

        await session.Page.GetByLabel("Maximum devices (empty: no limit)").FillAsync("25");
        await session.Page.GetByLabel("Maximum devices (empty: no limit)").BlurAsync();
        await session.Page.GetByTestId("set-quota").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Set quota" }).ClickAsync();

        await Assertions.Expect(session.Page.GetByTestId("quota")).ToContainTextAsync("1 devices of 25");
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        Assert.Equal(25, (await api.GetOwnTenantAsync()).Value.Quota?.MaxDevices);
        Assert.NotEmpty((await api.QueryAuditAsync(new Protocol.Management.AuditFilter(Action: "tenant-quota"))).Value.Items);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task An_auditor_sees_no_write_buttons_and_the_API_refuses_what_the_console_hides()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(tenant);
        var auditorKey = await console.Fleet.KeyAsync(tenant, ApiRole.Auditor);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(auditorKey);
        Assert.Contains("Auditor", await session.Page.GetByTestId("session").InnerTextAsync());

        await session.GoAsync($"/console/devices/{device}", "Device");
        Assert.Equal(0, await session.Page.GetByTestId("revoke").CountAsync());
        Assert.Equal(0, await session.Page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).CountAsync());
        Assert.Equal(0, await session.Page.GetByTestId("reattest").CountAsync());
        Assert.Equal(0, await session.Page.GetByTestId("add-tag").CountAsync());
        Assert.Equal(0, await session.Page.GetByTestId("tags").GetByRole(AriaRole.Button).CountAsync());   // no chip can be closed
        await session.GoAsync("/console/tenant", "Tenant settings");
        Assert.Equal(0, await session.Page.GetByTestId("set-quota").CountAsync());
        await session.GoAsync("/console/inventory", "Inventory");
        Assert.Equal(0, await session.Page.GetByRole(AriaRole.Checkbox).CountAsync());
        await session.GoAsync("/console/transfers", "Transfers");
        Assert.Equal(0, await session.Page.GetByRole(AriaRole.Button, new() { Name = "Create transfer" }).CountAsync());
        await session.GoAsync("/console/groups", "Groups");
        Assert.Equal(0, await session.Page.GetByRole(AriaRole.Button, new() { Name = "Save group" }).CountAsync());
        await session.GoAsync("/console/enrollments", "Enrolments");
        Assert.Equal(0, await session.Page.GetByRole(AriaRole.Button, new() { Name = "Import" }).CountAsync());
        Assert.Equal(0, await session.Page.Locator("#enrollment-file").CountAsync());
        Assert.Equal(0, await session.Page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).CountAsync());
        await session.GoAsync("/console/api-keys", "API keys");
        await Assertions.Expect(session.Page.GetByTestId("problem")).ToContainTextAsync("Refused");

        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, auditorKey);
        var refused = await Assert.ThrowsAsync<Protocol.Management.IotIdApiException>(() => api.RevokeDeviceAsync(device, "keyCompromise"));
        Assert.Equal(403, refused.Status);
        Assert.Equal("Active", (await api.GetDeviceAsync(device)).Value.Status);
        var tagging = await Assert.ThrowsAsync<Protocol.Management.IotIdApiException>(() => api.SetDeviceTagsAsync(device, ["site:berlin"]));
        Assert.Equal(403, tagging.Status);
        Assert.Empty((await api.GetDeviceAsync(device)).Value.Tags);
    }
}
