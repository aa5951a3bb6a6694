namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// Device ids as a person types and reads them: a unique prefix wherever an id is taken (none or several matching is
/// an error naming the candidates, and nothing is changed), and tables that fit 120 columns by showing unique prefixes
/// unless <c>--wide</c>.
/// </summary>
public sealed class CliDeviceIdPrefixTests
{
    private static readonly string A1 = "ab12" + new string('1', 60);
    private static readonly string A2 = "ab12" + new string('2', 60);
    private static readonly string B = "cd34" + new string('3', 60);

    private static string Row(string id, string state = "Active", string tags = "[\"site:berlin\",\"floor=2\"]") =>
        $$"""{"tenantId":"acme","deviceId":"{{id}}","state":"{{state}}","firmware":"1.4.2","certificateSerial":"{{new string('f', 32)}}","certificateNotAfter":"2027-01-01T00:00:00Z","compliant":true,"updatedAt":"2026-12-01T08:00:00Z","groupId":"line-12","tags":{{tags}},"lastSeenAt":"2026-12-02T09:30:00Z","connected":false}""";

    private static string Page(params string[] rows) => $$"""{"items":[{{string.Join(',', rows)}}],"continuationToken":null}""";

    private static Task<CliRun> Iotid(CannedApi api, params string[] args) =>
        CliRun.RunAsync([.. args, "--url", "http://iotid.test", "--key", "iotid.acme.k.AAAA"], api);

    [Fact]
    public async Task A_unique_prefix_is_resolved_to_its_device_before_the_change_is_sent()
    {
        var api = new CannedApi()
            .On(HttpMethod.Get, "/api/v1/devices?deviceIdPrefix=cd&pageSize=11", Page(Row(B)))
            .On(HttpMethod.Post, $"/api/v1/devices/{B}/disable", (System.Net.HttpStatusCode.NoContent, ""));

        var run = (await Iotid(api, "devices", "disable", "cd")).Exited(0);

        Assert.Contains($"device {B} disabled", run.Out);
        Assert.Equal(["/api/v1/devices?deviceIdPrefix=cd&pageSize=11", $"/api/v1/devices/{B}/disable"], api.Requests.Select(r => r.PathAndQuery));
    }

    [Theory]
    [InlineData("devices", "revoke")]
    [InlineData("devices", "get")]
    [InlineData("devices", "tag")]
    [InlineData("devices", "reattest")]
    [InlineData("devices", "attestations")]
    [InlineData("ownership", "export")]
    public async Task An_ambiguous_prefix_names_the_candidates_and_changes_nothing(string group, string command)
    {
        var api = new CannedApi().On(HttpMethod.Get, "/api/v1/devices?deviceIdPrefix=ab12&pageSize=11", Page(Row(A1), Row(A2)));

        var run = (await Iotid(api, group, command, "ab12")).Exited(1);

        Assert.Contains("ambiguous", run.Error);
        Assert.Contains(A1, run.Error);
        Assert.Contains(A2, run.Error);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task A_prefix_no_device_has_and_text_that_is_no_prefix_are_errors()
    {
        var api = new CannedApi().On(HttpMethod.Get, "/api/v1/devices?deviceIdPrefix=ef&pageSize=11", Page());

        var none = (await Iotid(api, "devices", "revoke", "ef")).Exited(1);
        var notHex = (await Iotid(api, "devices", "revoke", "AB12")).Exited(2);

        Assert.Contains("no device of the tenant has an id starting with ef", none.Error);
        Assert.Contains("lowercase hex", notHex.Error);
        Assert.Single(api.Requests);
    }

    [Theory]
    [InlineData("sent", "attest-now sent (again whenever it reconnects until it attests)")]
    [InlineData("pending", "attest-now goes out when the device next connects")]
    public async Task Reattest_resolves_the_prefix_and_says_whether_the_command_reached_the_device(string delivery, string said)
    {
        var api = new CannedApi()
            .On(HttpMethod.Get, "/api/v1/devices?deviceIdPrefix=cd&pageSize=11", Page(Row(B)))
            .On(HttpMethod.Post, $"/api/v1/devices/{B}/reattest",
                (System.Net.HttpStatusCode.Accepted, "{\"deviceId\":\"" + B + "\",\"delivery\":\"" + delivery + "\",\"requestedAt\":\"2026-12-03T08:00:00Z\"}"));

        var run = (await Iotid(api, "devices", "reattest", "cd")).Exited(0);

        Assert.Contains($"device {B}", run.Out);
        Assert.Contains(said, run.Out);
        Assert.Equal(["/api/v1/devices?deviceIdPrefix=cd&pageSize=11", $"/api/v1/devices/{B}/reattest"], api.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task Attestations_show_the_release_matched_and_the_pcrs_newest_first()
    {
        var api = new CannedApi().On(HttpMethod.Get, $"/api/v1/devices/{B}/attestations", $$$"""
            [{"at":"2026-12-03T08:00:00Z","mode":"renew","serialNumber":"{{{new string('e', 32)}}}","firmware":"sample-os@1.4.2","pcrs":{"0":"{{{new string('a', 64)}}}","7":"{{{new string('b', 64)}}}"}},
             {"at":"2026-12-02T08:00:00Z","mode":"enroll","serialNumber":"{{{new string('d', 32)}}}","pcrs":{"0":"{{{new string('c', 64)}}}"}}]
            """);

        var run = (await Iotid(api, "devices", "attestations", B)).Exited(0);

        var lines = run.Out.Split('\n');
        var renew = Array.FindIndex(lines, l => l.Contains("renew", StringComparison.Ordinal));
        var enroll = Array.FindIndex(lines, l => l.Contains("enroll", StringComparison.Ordinal));
        Assert.True(renew >= 0 && renew < enroll, run.Out);
        Assert.Contains("sample-os@1.4.2", lines[renew]);
        Assert.Contains("0:aaaaaaaa 7:bbbbbbbb", lines[renew]);
        Assert.Contains("(none)", lines[enroll]);
    }

    [Fact]
    public async Task A_whole_id_is_used_as_it_is_without_a_lookup()
    {
        var api = new CannedApi().On(HttpMethod.Post, $"/api/v1/devices/{A1}/enable", (System.Net.HttpStatusCode.NoContent, ""));

        (await Iotid(api, "devices", "enable", A1)).Exited(0);

        Assert.Equal([$"/api/v1/devices/{A1}/enable"], api.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task The_device_table_fits_120_columns_with_unique_prefixes_and_shows_whole_ids_with_wide()
    {
        var api = new CannedApi().On(HttpMethod.Get, "/api/v1/devices", Page(Row(A1, "Transferring"), Row(A2), Row(B, "Revoked")));

        var narrow = (await Iotid(api, "devices", "list")).Exited(0);
        var wide = (await Iotid(api, "devices", "list", "--wide")).Exited(0);

        Assert.All(narrow.Out.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 120, $"{line.TrimEnd().Length} columns: {line}"));
        // A1 and A2 share 4 digits: 12, the shortest shown, tell them apart
        Assert.Contains("ab1211111111 ", narrow.Out);
        Assert.Contains("ab1222222222 ", narrow.Out);
        Assert.Contains("cd3433333333 ", narrow.Out);
        Assert.DoesNotContain(A1, narrow.Out);
        Assert.Contains(A1, wide.Out);
        Assert.Contains(new string('f', 32), wide.Out);
        Assert.Contains("floor=2", narrow.Out);
    }
}
