using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>
/// Tags and presence in the console with real swtpm devices: the device page shows and edits tags (an operator adds and
/// removes them, the API checks them), last seen and connected; the inventory shows both and filters by tag and by presence.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TagsAndPresenceTests(ConsoleFixture console)
{
    [Fact]
    public async Task An_operator_tags_a_device_on_its_page_and_the_inventory_finds_it_by_tag_and_shows_who_is_connected()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var tagged = await console.Fleet.EnrollDeviceAsync(tenant);
        var other = await console.Fleet.EnrollDeviceAsync(tenant);
        using var api = new IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(await console.Fleet.KeyAsync(tenant, ApiRole.Operator));

        await session.GoAsync($"/console/devices/{tagged}", "Device");
        var enrolled = (await api.GetDeviceAsync(tagged)).Value;
        Assert.NotNull(enrolled.LastSeenAt);   // the accepted attestation is a sighting
        await Assertions.Expect(session.Page.GetByTestId("last-seen")).ToContainTextAsync(enrolled.LastSeenAt!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm"));
        await Assertions.Expect(session.Page.GetByTestId("tags")).ToContainTextAsync("none");
        foreach (var tag in new[] { "site:berlin", "floor=2" })
        {
            await session.Page.GetByLabel("Add tag").FillAsync(tag);
            await session.Page.GetByTestId("add-tag").ClickAsync();
            await Assertions.Expect(session.Page.GetByTestId("tags").GetByTestId("tag").Filter(new() { HasText = tag })).ToBeVisibleAsync();
        }
        Assert.Equal(["floor=2", "site:berlin"], (await api.GetDeviceAsync(tagged)).Value.Tags);

        // a tag the API refuses is named, and changes nothing
        await session.Page.GetByLabel("Add tag").FillAsync("no spaces please");
        await session.Page.GetByTestId("add-tag").ClickAsync();
        await Assertions.Expect(session.Page.GetByTestId("problem")).ToContainTextAsync("tag 'no spaces please' is not");
        Assert.Equal(["floor=2", "site:berlin"], (await api.GetDeviceAsync(tagged)).Value.Tags);

        await session.Page.GetByTestId("tags").GetByTestId("tag").Filter(new() { HasText = "floor=2" }).GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(session.Page.GetByTestId("tags").GetByTestId("tag")).ToHaveCountAsync(1);
        Assert.Equal(["site:berlin"], (await api.GetDeviceAsync(tagged)).Value.Tags);
        var audited = (await api.QueryAuditAsync(new AuditFilter(DeviceId: tagged, Action: "device-tags"))).Value.Items;
        Assert.Equal(3, audited.Count);
        Assert.All(audited, e => Assert.StartsWith("api-key:", e.Event.Actor));

        // the MQTT endpoint reports the other device's authenticated session open, as it does when the device connects
        await console.Fleet.Service.Grains.GetGrain<IDeviceGrain>(other).RecordPresenceAsync(connected: true, DateTimeOffset.UtcNow);

        await session.GoAsync("/console/inventory", "Inventory");
        var rows = session.Page.Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Filter(new() { HasText = tagged[..16] })).ToContainTextAsync("site:berlin");
        await Assertions.Expect(rows.Filter(new() { HasText = other[..16] }).GetByTestId("presence")).ToHaveTextAsync("connected");

        await session.Page.GetByLabel("Tag", new() { Exact = true }).FillAsync("site:berlin");
        await session.Page.GetByTestId("search").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(tagged[..16]);
        await session.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, "inventory-tag-filter-desktop.png"), FullPage = true });

        await session.Page.GetByLabel("Tag", new() { Exact = true }).FillAsync("");
        await session.Page.GetByLabel("Last seen").ClickAsync();
        await session.Page.GetByRole(AriaRole.Option, new() { Name = "connected now" }).ClickAsync();
        // the circuit took the choice before the search is asked for (else the search runs without it: both rows, the
        // first of them possibly the connected one, and an export link without the filter)
        await Assertions.Expect(session.Page.GetByLabel("Last seen")).ToContainTextAsync("connected");
        await session.Page.GetByTestId("search").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(other[..16]);

        // the CSV export carries the same search, tags and presence
        await Assertions.Expect(session.Page.GetByTestId("export-csv")).ToHaveAttributeAsync("href", "/console/export/devices.csv?seen=connected");
        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.GetByTestId("export-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync());
        Assert.Equal("deviceId,state,groupId,tags,firmware,compliant,certificateSerial,certificateNotAfter,connected,lastSeenAt,updatedAt", csv[0]);
        var fields = Assert.Single(csv[1..]).Split(',');
        Assert.Equal([other, "Active", "default", ""], fields[..4]);
        Assert.Equal("true", fields[8]);

        // the inventory opened with a tag (where the device page's tag links lead) is filtered by it
        await session.GoAsync($"/console/inventory?tag={Uri.EscapeDataString("site:berlin")}", "Inventory");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(tagged[..16]);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task The_device_page_links_the_other_device_ids_of_the_same_TPM()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var device = await console.Fleet.EnrollDeviceAsync(tenant);
        var other = await console.Fleet.EnrollDeviceAsync(tenant);
        using (var api = new IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey))
            await api.LinkDeviceAsync(device, other);
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);

        await session.GoAsync($"/console/devices/{device}", "Device");
        var link = session.Page.GetByTestId("links").GetByRole(AriaRole.Link);
        await Assertions.Expect(link).ToHaveTextAsync($"{other[..16]}… (operator)");
        await link.ClickAsync();
        await Assertions.Expect(session.Page.Locator("main")).ToContainTextAsync(other);
        await Assertions.Expect(session.Page.GetByTestId("links").GetByRole(AriaRole.Link)).ToHaveTextAsync($"{device[..16]}… (operator)");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task The_export_refuses_an_unknown_presence_choice_naming_the_valid_ones()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);

        var response = await session.Context.APIRequest.GetAsync("/console/export/devices.csv?seen=yesterday");

        Assert.Equal(400, response.Status);
        Assert.Equal("seen must be one of connected, disconnected, silent, never, not 'yesterday'", await response.TextAsync());
    }
}
