using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary><c>iotid report compliance</c> against the real service with a real swtpm device.</summary>
public sealed class CliReportTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-report-").FullName;
    private static readonly string From = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
    private static readonly string To = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", tenant.AdminKey]);

    [Fact]
    public async Task Every_format_is_saved_with_the_digest_the_json_carries()
    {
        var tenant = await fleet.NewTenantAsync();
        await fleet.EnrollDeviceAsync(tenant);
        var json = JsonNode.Parse((await Iotid(tenant, "report", "compliance", "--from", From, "--to", To, "--format", "json")).Exited(0).Out)!;
        var digest = json["digest"]!.GetValue<string>();
        Assert.Equal(1, json["report"]!["certificates"]!["issued"]!.GetValue<int>());

        foreach (var format in new[] { "html", "pdf", "json", "csv" })
        {
            var path = Path.Combine(_folder, $"report.{format}");
            var run = (await Iotid(tenant, "report", "compliance", "--from", From, "--to", To, "-f", format, "-o", path)).Exited(0);
            Assert.Contains($"report digest {digest}", run.Error);
            var bytes = await File.ReadAllBytesAsync(path);
            var text = format == "pdf" ? string.Concat((await PdfText.ReadAsync(bytes)).Where(c => !char.IsWhiteSpace(c))) : System.Text.Encoding.UTF8.GetString(bytes);
            Assert.Contains(digest, text);
            Assert.Contains(tenant.TenantId, text);
            (await Iotid(tenant, "report", "compliance", "--from", From, "--to", To, "-f", format, "-o", path)).Exited(2);
            (await Iotid(tenant, "report", "compliance", "--from", From, "--to", To, "-f", format, "-o", path, "--force")).Exited(0);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(path)));
        }
    }

    [Fact]
    public async Task A_wrong_period_is_refused_with_the_services_reason_and_a_pdf_needs_a_file()
    {
        var tenant = await fleet.NewTenantAsync();
        Assert.Contains("must be before to", (await Iotid(tenant, "report", "compliance", "--from", To, "--to", From)).Exited(1).Error);
        Assert.Contains("a report covers at most 366", (await Iotid(tenant, "report", "compliance", "--from", "2020-01-01", "--to", To)).Exited(1).Error);
        Assert.Contains("--out", (await Iotid(tenant, "report", "compliance", "--from", From, "--to", To, "-f", "pdf")).Exited(2).Error);
        (await Iotid(tenant, "report", "compliance", "--from", From, "--to", To, "-f", "docx")).Exited(2);
        (await Iotid(tenant, "report", "compliance", "--to", To)).Exited(2);
    }
}
