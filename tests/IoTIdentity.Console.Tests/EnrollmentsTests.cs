using System.Security.Cryptography;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>The Enrolments page against the real service: individual enrolments imported from a file row by row, listed,
/// and deleted behind a confirmation; a file that is not an import is named and nothing is sent.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EnrollmentsTests(ConsoleFixture console)
{
    [Fact]
    public async Task An_operator_imports_enrolments_from_a_csv_sees_each_rows_result_and_deletes_one_after_confirming()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        using var api = new IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        string[] ids = [NewDeviceId(), NewDeviceId()];
        await using var session = await console.OpenAsync();
        await session.SignInAsync(await console.Fleet.KeyAsync(tenant, ApiRole.Operator));
        await session.GoAsync("/console/enrollments", "Enrolments");
        var import = session.Page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true });

        // a file that is not an import is named, and nothing can be sent
        await Upload(session, "devices.csv", "device,group\nabc,default\n");
        await Assertions.Expect(session.Page.GetByTestId("file-problem")).ToHaveTextAsync(
            "devices.csv: unknown column 'device' in the header; the columns are deviceId, ekCertificate, groupId, enabled, claimCodeSha256");
        await Assertions.Expect(import).ToBeDisabledAsync();

        await Upload(session, "devices.csv", $"deviceId,enabled\n{ids[0]},true\n{ids[1]},false\nnot-a-device-id,true\n");
        await Assertions.Expect(session.Page.GetByTestId("file-rows")).ToHaveTextAsync("devices.csv: 3 rows read.");
        await session.Page.GetByLabel("Group of rows that name none").FillAsync("default");
        await import.ClickAsync();

        var report = session.Page.GetByTestId("import-report");
        await Assertions.Expect(report).ToContainTextAsync("2 enrolled, 1 refused");
        await Assertions.Expect(report.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(report.Locator("tbody tr").Nth(2)).ToContainTextAsync("refused");
        var listed = (await api.ListIndividualEnrollmentsAsync()).Value.Items;
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(e => e.DeviceId).Order(StringComparer.Ordinal));
        Assert.All(listed, e => Assert.Equal("default", e.GroupId));
        Assert.False(listed.Single(e => e.DeviceId == ids[1]).Enabled);
        var rows = session.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = ids[0][..16] });
        await Assertions.Expect(rows.Filter(new() { Has = session.Page.GetByRole(AriaRole.Link) })).ToHaveCountAsync(1);
        await session.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, "enrollments-import-desktop.png"), FullPage = true });

        var row = session.Page.GetByRole(AriaRole.Row).Filter(new() { Has = session.Page.GetByRole(AriaRole.Link, new() { Name = ids[0][..16] }) });
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.Equal("default", (await api.GetIndividualEnrollmentAsync(ids[0])).Value.GroupId);
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await session.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Equal(404, (await Assert.ThrowsAsync<IotIdApiException>(() => api.GetIndividualEnrollmentAsync(ids[0]))).Status);
        Assert.Equal([ids[1]], (await api.ListIndividualEnrollmentsAsync()).Value.Items.Select(e => e.DeviceId));
        Assert.Single((await api.QueryAuditAsync(new AuditFilter(DeviceId: ids[0], Action: "individual-enrollment-delete"))).Value.Items);
        Assert.Empty(session.Errors);
    }

    /// <summary>
    /// Chooses a file in the import input. Blazor's InputFile attaches its change listener by a JS call after its first
    /// interactive render, which can arrive after the page reports ready (a CI run under load lost the first file that
    /// way); its init marks the element with <c>_blazorInputFileNextFileId</c>, so that is waited for first.
    /// </summary>
    private static async Task Upload(ConsoleSession session, string name, string text)
    {
        await session.Page.WaitForFunctionAsync("() => document.getElementById('enrollment-file')?._blazorInputFileNextFileId !== undefined");
        await session.Page.Locator("#enrollment-file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(text) });
    }

    /// <summary>A device id as the service derives them (lowercase hex SHA-256) for a device not yet built.</summary>
    private static string NewDeviceId() => Convert.ToHexStringLower(SHA256.HashData(RandomNumberGenerator.GetBytes(32)));
}
