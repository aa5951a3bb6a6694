using IoTIdentity.Protocol.Management;
using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>The API keys page (a key shown once, revoked behind a confirmation) and the audit page (filters, the chain's
/// verification, the NDJSON export line for line the API's) against the real service with a real swtpm device.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class KeysAndAuditTests(ConsoleFixture console)
{
    [Fact]
    public async Task A_created_key_is_shown_once_works_and_stops_working_when_revoked_after_confirming()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);
        await session.GoAsync("/console/api-keys", "API keys");

        await session.Page.GetByLabel("Name").FillAsync("line-3 dashboard");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var shown = session.Page.GetByLabel("New API key");
        await Assertions.Expect(shown).Not.ToHaveValueAsync("");
        var key = await shown.InputValueAsync();
        using (var created = new IotIdClient(console.Fleet.Service.BaseAddress, key))
            Assert.Equal(tenant.TenantId, (await created.GetCallerAsync()).Value.TenantId);
        var row = session.Page.Locator("tbody tr").Filter(new() { HasText = "line-3 dashboard" });
        await Assertions.Expect(row).ToContainTextAsync("Auditor");

        // shown once: a reload lists the key without its secret
        await session.GoAsync("/console/api-keys", "API keys");
        Assert.Equal(0, await session.Page.GetByTestId("new-key").CountAsync());
        Assert.DoesNotContain(key, await session.Page.Locator("main").InnerTextAsync());

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        using (var stillWorks = new IotIdClient(console.Fleet.Service.BaseAddress, key))
            Assert.Equal(tenant.TenantId, (await stillWorks.GetCallerAsync()).Value.TenantId);
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToHaveCountAsync(0);
        using (var revoked = new IotIdClient(console.Fleet.Service.BaseAddress, key))
            Assert.Equal(401, (await Assert.ThrowsAsync<IotIdApiException>(() => revoked.GetCallerAsync())).Status);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task The_audit_page_filters_verifies_the_chain_and_exports_the_APIs_lines()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(tenant);
        using var api = new IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        await api.SetDeviceTagsAsync(device, ["site:berlin"]);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);
        await session.GoAsync("/console/audit", "Audit");

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Verify chain" }).ClickAsync();
        var entries = (await api.VerifyAuditAsync()).Value.EntriesChecked;
        await Assertions.Expect(session.Page.GetByTestId("chain")).ToContainTextAsync("The hash chain verifies");

        await session.Page.GetByLabel("Action (attest, revoke, …)").FillAsync("device-tags");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = session.Page.Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("device-tags");

        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.GetByRole(AriaRole.Link, new() { Name = "NDJSON" }).ClickAsync());
        var lines = await File.ReadAllLinesAsync(await download.PathAsync());
        var expected = new List<string>();
        await foreach (var line in api.ExportAuditAsync(new AuditFilter(Action: "device-tags"))) expected.Add(line);
        Assert.Equal(expected, lines);
        Assert.Single(lines);
        Assert.True(entries >= 3, $"{entries} entries checked");
        Assert.Empty(session.Errors);
    }
}
