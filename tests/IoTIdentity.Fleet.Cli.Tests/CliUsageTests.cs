using System.Net;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>Usage mistakes exit 2 and send nothing; an unreachable service exits 3.</summary>
public sealed class CliUsageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-").FullName;
    private readonly CannedApi _api = new();

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        _api.Dispose();
    }

    private Task<CliRun> Iotid(params string[] args) => CliRun.RunAsync([.. args, "--url", "http://iotid.test", "--key", "iotid.t1.k1.secret"], _api);

    [Fact]
    public async Task A_service_that_cannot_be_reached_exits_3()
    {
        var run = (await CliRun.RunAsync(["devices", "list", "--url", $"http://127.0.0.1:{FreePorts.Next()}", "--key", "iotid.t1.k1.secret"])).Exited(3);

        Assert.Contains("cannot reach", run.Error);
    }

    [Fact]
    public async Task An_answer_that_is_not_the_APIs_JSON_exits_3()
    {
        var id = "abc" + new string('0', 61);
        _api.On(HttpMethod.Get, $"/api/v1/devices/{id}", "<html>a proxy's login page</html>");

        var run = (await Iotid("devices", "get", id)).Exited(3);

        Assert.Contains("not the IoTIdentity API's JSON", run.Error);
    }

    [Fact]
    public async Task Help_exits_0()
    {
        var run = (await CliRun.RunAsync(["devices", "--help"])).Exited(0);

        Assert.Contains("revoke", run.Out);
    }

    [Fact]
    public async Task Help_never_shows_the_key_from_the_environment()
    {
        var run = (await CliRun.RunAsync(["devices", "list", "--help"], environment: new Dictionary<string, string> { ["IOTID_API_KEY"] = "iotid.t1.k1.do-not-show" })).Exited(0);

        Assert.DoesNotContain("do-not-show", run.Out + run.Error);
    }

    [Fact]
    public async Task A_command_group_without_a_command_exits_2()
    {
        var run = (await Iotid("transfers")).Exited(2);

        Assert.Contains("Required command was not provided", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Revoke_is_refused_before_sending_when_the_reason_is_not_an_RFC_5280_name()
    {
        var run = (await Iotid("devices", "revoke", "abc", "--reason", "stolen")).Exited(2);

        Assert.Contains("stolen", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task A_url_that_is_not_http_is_refused_before_sending()
    {
        var run = (await CliRun.RunAsync(["devices", "list", "--url", "ftp://example", "--key", "k"], _api)).Exited(2);

        Assert.Contains("--url must be an http(s) URL", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Transfer_create_is_refused_before_sending_unless_it_names_1_to_1000_devices(int count)
    {
        var file = Path.Combine(_folder, "devices.txt");
        File.WriteAllLines(file, ["# none yet", .. Enumerable.Range(0, count).Select(i => $"device-{i}")]);

        var run = (await Iotid("transfers", "create", "--to", "tenant-b", "--devices-file", file)).Exited(2);

        Assert.Contains($"1..1000 devices", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("721")]
    public async Task Transfer_create_is_refused_before_sending_when_the_expiry_is_outside_1_to_720_hours(string hours)
    {
        (await Iotid("transfers", "create", "--to", "tenant-b", "--device", "d1", "--expires-in-hours", hours)).Exited(2);

        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Ownership_export_is_refused_before_fetching_when_the_file_exists_and_keeps_the_file()
    {
        var file = Path.Combine(_folder, "ownership.json");
        File.WriteAllText(file, "kept");

        var run = (await Iotid("ownership", "export", "abc", "--out", file)).Exited(2);

        Assert.Contains("--force", run.Error);
        Assert.Equal("kept", File.ReadAllText(file));
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Manufacturer_roots_set_is_refused_before_sending_when_a_file_holds_no_certificate()
    {
        var file = Path.Combine(_folder, "root.pem");
        File.WriteAllText(file, "not a certificate");

        var run = (await Iotid("tenant", "manufacturer-roots", "set", file)).Exited(2);

        Assert.Contains("holds no PEM certificate", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Tenant_create_is_refused_before_sending_when_a_CA_certificate_comes_without_its_key()
    {
        var file = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

        var run = (await Iotid("tenants", "create", "acme", "--ca-cert", file)).Exited(2);

        Assert.Contains("--ca-cert and --ca-key go together", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Ownership_verify_of_a_missing_or_malformed_file_is_a_usage_error()
    {
        var missing = (await Iotid("ownership", "verify", Path.Combine(_folder, "any.json"))).Exited(2);
        Assert.Contains("cannot read ownership document", missing.Error);

        var garbage = Path.Combine(_folder, "garbage.json");
        await File.WriteAllTextAsync(garbage, "{\"entries\": 42");
        var malformed = (await Iotid("ownership", "verify", garbage)).Exited(2);
        Assert.Contains("is not an ownership document", malformed.Error);
    }

    [Fact]
    public async Task A_refusal_prints_the_problems_title_status_detail_and_reason_and_exits_1()
    {
        _api.On(HttpMethod.Post, "/api/v1/transfers", (HttpStatusCode.Conflict,
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":"device d1 is already in an open transfer","error":"Conflict","reason":"OpenTransfer"}"""));

        var run = (await Iotid("transfers", "create", "--to", "tenant-b", "--device", "d1" + new string('0', 62))).Exited(1);

        Assert.Contains("refused: Conflict (409): device d1 is already in an open transfer [OpenTransfer]", run.Error);
    }

    [Fact]
    public async Task List_all_is_refused_before_sending_when_it_is_given_a_continuation_token()
    {
        var run = (await Iotid("devices", "list", "--all", "--continuation-token", "p2")).Exited(2);

        Assert.Contains("--all starts at the first page", run.Error);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task List_all_stops_with_exit_3_when_the_service_answers_the_same_continuation_token_again()
    {
        _api.On(HttpMethod.Get, "/api/v1/devices", """{"items":[],"continuationToken":"p2"}""")
            .On(HttpMethod.Get, "/api/v1/devices?continuationToken=p2", """{"items":[],"continuationToken":"p2"}""");

        var run = (await Iotid("devices", "list", "--all")).Exited(3);

        Assert.Contains("same continuation token twice", run.Error);
        Assert.Equal(2, _api.Requests.Count);
    }
}
