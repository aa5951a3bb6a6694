using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>
/// The findings page and a quarantined device in the console, against the real service: a real swtpm device's copied
/// identity renews with its superseded certificate, monitoring finds the clone and quarantines the device.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class FindingsTests(ConsoleFixture console)
{
    [Fact]
    public async Task An_operator_reads_a_clones_finding_with_its_evidence_and_audit_entries_releases_the_device_and_resolves_the_finding()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var (device, findingId) = await console.Fleet.EnrollQuarantinedCloneAsync(tenant);
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        var finding = (await api.GetFindingAsync(findingId)).Value;
        await using var session = await console.OpenAsync();
        await session.SignInAsync(await console.Fleet.KeyAsync(tenant, ApiRole.Operator));

        // the list, then the finding opened: its evidence, its device and the audit entries behind it
        await session.GoAsync("/console/findings", "Findings");
        var table = session.Page.GetByTestId("findings");
        foreach (var text in new[] { findingId, "CloneSuspected", "Critical", "Open", "quarantine", device[..12] })
            await Assertions.Expect(table).ToContainTextAsync(text);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = $"Details of {findingId}" }).ClickAsync();
        var details = session.Page.GetByTestId("finding");
        await Assertions.Expect(details.GetByTestId("evidence")).ToContainTextAsync("renewal-with-another-certificate");
        await Assertions.Expect(details.GetByTestId("evidence")).ToContainTextAsync(finding.Evidence["presented-serial"]);
        await Assertions.Expect(details.GetByTestId("finding-devices")).ToContainTextAsync(device);
        var behind = details.GetByTestId("finding-audit");
        foreach (var sequence in finding.AuditSequences) await Assertions.Expect(behind).ToContainTextAsync(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(behind).ToContainTextAsync("refused:RenewalNotAuthorized");
        await session.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, "finding-details-desktop.png"), FullPage = true });

        // the device page says it is held and why; the operator releases it after confirming
        await session.GoAsync($"/console/devices/{device}", "Device");
        await Assertions.Expect(session.Page.GetByTestId("quarantine")).ToContainTextAsync(findingId);
        Assert.Equal(findingId, (await api.GetDeviceAsync(device)).Value.QuarantineFindingId);
        await session.Page.GetByTestId("release").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        await Assertions.Expect(session.Page.GetByTestId("quarantine")).ToHaveCountAsync(0);
        Assert.Null((await api.GetDeviceAsync(device)).Value.QuarantineFindingId);
        Assert.Single((await api.QueryAuditAsync(new Protocol.Management.AuditFilter(DeviceId: device, Action: "quarantine-release"))).Value.Items);

        // the finding, reached from the device page's link, acknowledged and then resolved
        await session.GoAsync($"/console/findings?id={findingId}", "Findings");
        await session.Page.GetByTestId("acknowledge").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Assertions.Expect(details).ToContainTextAsync("Made acknowledged by api-key:");
        Assert.Equal("Acknowledged", (await api.GetFindingAsync(findingId)).Value.State);
        await details.GetByTestId("resolve").ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Assertions.Expect(details).ToContainTextAsync("Made resolved by api-key:");
        await Assertions.Expect(details.GetByTestId("resolve")).ToHaveCountAsync(0);
        var resolved = (await api.GetFindingAsync(findingId)).Value;
        Assert.Equal("Resolved", resolved.State);
        Assert.StartsWith("api-key:", resolved.StateChangedBy);
        Assert.Equal(["acknowledged", "resolved"],
            (await api.QueryAuditAsync(new Protocol.Management.AuditFilter(Action: "finding"))).Value.Items.OrderBy(e => e.Sequence).Select(e => e.Event.Outcome));
        Assert.Empty(session.Errors);
    }
}
