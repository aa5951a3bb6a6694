using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// The commands checked against canned answers instead of a running service (tenants, API keys, certificates,
/// transfers, ownership export, audit export): what the CLI sends, and how it shows answers shaped like the
/// management API's.
/// </summary>
public sealed class CliContractTests : IDisposable
{
    /// <summary>A whole device id: used as it is, with no prefix lookup.</summary>
    private static readonly string WholeId = "d1" + new string('0', 62);

    private const string Key = "iotid.tenant-a.k1.secret";
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-").FullName;
    private readonly CannedApi _api = new();

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        _api.Dispose();
    }

    private Task<CliRun> Iotid(params string[] args) => CliRun.RunAsync([.. args, "--url", "http://iotid.test", "--key", Key], _api);

    private static JsonElement Body(SentRequest request) => JsonDocument.Parse(request.Body!).RootElement;

    private static string Transfer(string state, params (string Id, string State, string? Serial, string? Error)[] devices)
    {
        var list = string.Join(",", devices.Select(d =>
            $$"""{"deviceId":"{{d.Id}}","state":"{{d.State}}","updatedAt":"2026-11-22T11:01:00Z","newSerialNumber":{{(d.Serial is null ? "null" : $"\"{d.Serial}\"")}},"error":{{(d.Error is null ? "null" : $"\"{d.Error}\"")}}}"""));
        int Count(string s) => devices.Count(d => d.State == s);
        return $$"""{"transferId":"tr-1","sourceTenantId":"tenant-a","targetTenantId":"tenant-b","state":"{{state}}","createdAt":"2026-11-22T10:00:00Z","expiresAt":"2026-11-25T10:00:00Z","acceptedAt":"2026-11-22T11:00:00Z","completedAt":null,"revokeOldCertificateAt":"reenrollment","devices":[{{list}}],"counts":{"pending":{{Count("Pending")}},"commandSent":{{Count("CommandSent")}},"reenrolled":{{Count("Reenrolled")}},"failed":{{Count("Failed")}}}""" + "}";
    }

    private string CertificateFile(string name, params string[] subjects)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Concat(subjects.Select(subject =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
            return certificate.ExportCertificatePem() + "\n";
        })));
        return path;
    }

    [Fact]
    public async Task Tenants_create_sends_the_contracts_body_with_the_admin_key_and_shows_the_owner_admin_key()
    {
        var cert = Path.Combine(_folder, "ca.pem");
        var key = Path.Combine(_folder, "ca.key");
        File.WriteAllText(cert, "CERT PEM");
        File.WriteAllText(key, "KEY PEM");
        _api.On(HttpMethod.Post, "/api/v1/tenants", (HttpStatusCode.Created,
            """{"tenantId":"acme","name":"Acme Corp","ownerAdminKey":"iotid.acme.k9.new-secret","issuingCaCertificatePem":"-----BEGIN CERTIFICATE-----","rootCertificatePem":"-----BEGIN CERTIFICATE-----"}"""));

        var run = (await CliRun.RunAsync(["tenants", "create", "acme", "--name", "Acme Corp", "--max-devices", "500", "--ca-cert", cert, "--ca-key", key,
            "--url", "http://iotid.test", "--key", "iotid-admin.admin-secret"], _api)).Exited(0);

        var sent = Assert.Single(_api.Requests);
        Assert.Equal("Bearer iotid-admin.admin-secret", sent.Authorization);
        var body = Body(sent);
        Assert.Equal("acme", body.GetProperty("tenantId").GetString());
        Assert.Equal("Acme Corp", body.GetProperty("name").GetString());
        Assert.Equal(500, body.GetProperty("quota").GetProperty("maxDevices").GetInt32());
        Assert.Equal("CERT PEM", body.GetProperty("ca").GetProperty("certificatePem").GetString());
        Assert.Equal("KEY PEM", body.GetProperty("ca").GetProperty("privateKeyPem").GetString());
        Assert.Contains("iotid.acme.k9.new-secret", run.Out);
        Assert.DoesNotContain("admin-secret", run.Out + run.Error);
    }

    [Fact]
    public async Task Tenants_list_all_follows_continuation_tokens()
    {
        _api.On(HttpMethod.Get, "/api/v1/tenants", """{"items":[{"tenantId":"acme","name":"Acme","quota":{"maxDevices":10},"deviceCount":3}],"continuationToken":"p 2"}""")
            .On(HttpMethod.Get, "/api/v1/tenants?continuationToken=p%202", """{"items":[{"tenantId":"globex","name":"Globex","quota":null,"deviceCount":0}],"continuationToken":null}""");

        var run = (await Iotid("tenants", "list", "--all")).Exited(0);

        Assert.Matches(@"acme +Acme +3 +10", run.Out);
        Assert.Matches(@"globex +Globex +0 +none", run.Out);
        Assert.Equal(2, _api.Requests.Count);
    }

    [Fact]
    public async Task Tenant_show_lists_the_quota_the_device_count_and_the_manufacturer_roots()
    {
        _api.On(HttpMethod.Get, "/api/v1/tenant", """{"tenantId":"tenant-a","name":"A","quota":{"maxDevices":1000},"deviceCount":42,"issuingCaCertificatePem":"ISSUING","rootCertificatePem":"ROOT","ownershipPublicKeyPem":"-----BEGIN PUBLIC KEY-----","trustedManufacturerRoots":[{"thumbprint":"AB12","subject":"CN=Infineon Root","notAfter":"2040-01-01T00:00:00Z"}]}""");

        var run = (await Iotid("tenant", "show")).Exited(0);

        Assert.Matches(@"devices +42", run.Out);
        Assert.Matches(@"max devices +1000", run.Out);
        Assert.Contains("CN=Infineon Root (AB12)", run.Out);
        Assert.Contains("BEGIN PUBLIC KEY", run.Out);
    }

    [Fact]
    public async Task Tenant_quota_set_puts_max_devices()
    {
        _api.On(HttpMethod.Put, "/api/v1/tenant/quota", (HttpStatusCode.NoContent, ""));

        var run = (await Iotid("tenant", "quota", "set", "500")).Exited(0);

        Assert.Equal(500, Body(Assert.Single(_api.Requests)).GetProperty("maxDevices").GetInt32());
        Assert.Contains("quota set to 500 devices", run.Out);
    }

    [Fact]
    public async Task Manufacturer_roots_set_sends_every_certificate_of_every_file()
    {
        _api.On(HttpMethod.Put, "/api/v1/tenant/manufacturer-roots", (HttpStatusCode.NoContent, ""));
        var two = CertificateFile("two.pem", "CN=Root One", "CN=Root Two");
        var one = CertificateFile("one.pem", "CN=Root Three");

        var run = (await Iotid("tenant", "manufacturer-roots", "set", two, one)).Exited(0);

        var pems = Body(Assert.Single(_api.Requests)).GetProperty("certificatesPem").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(["CN=Root One", "CN=Root Two", "CN=Root Three"], pems.Select(p => X509Certificate2.CreateFromPem(p).Subject));
        Assert.Contains("3 manufacturer roots set", run.Out);
    }

    [Fact]
    public async Task Api_keys_list_create_and_revoke_use_the_contracts_routes()
    {
        _api.On(HttpMethod.Get, "/api/v1/api-keys", """[{"keyId":"k1","name":"bootstrap","role":"OwnerAdmin","createdAt":"2026-11-01T00:00:00Z","lastUsedAt":"2026-11-22T09:00:00Z","revokedAt":null}]""")
            .On(HttpMethod.Post, "/api/v1/api-keys", (HttpStatusCode.Created, """{"keyId":"k2","key":"iotid.tenant-a.k2.fresh-secret","role":"Operator"}"""))
            .On(HttpMethod.Delete, "/api/v1/api-keys/k2", (HttpStatusCode.NoContent, ""));

        var list = (await Iotid("api-keys", "list")).Exited(0);
        var create = (await Iotid("api-keys", "create", "--name", "ci", "--role", "operator")).Exited(0);
        var revoke = (await Iotid("api-keys", "revoke", "k2")).Exited(0);

        Assert.Matches(@"k1 +bootstrap +OwnerAdmin +2026-11-01 00:00:00Z +2026-11-22 09:00:00Z +-", list.Out);
        var created = Body(_api.Requests[1]);
        Assert.Equal("ci", created.GetProperty("name").GetString());
        Assert.Equal("Operator", created.GetProperty("role").GetString());
        Assert.Contains("iotid.tenant-a.k2.fresh-secret", create.Out);
        Assert.Equal(HttpMethod.Delete, _api.Requests[2].Method);
        Assert.Contains("key k2 revoked", revoke.Out);
    }

    [Fact]
    public async Task Certificates_get_shows_the_revocation_and_revoke_sends_the_reason()
    {
        _api.On(HttpMethod.Get, "/api/v1/certificates/0A1B", """{"serialNumber":"0A1B","deviceId":"d1","notBefore":"2026-11-01T00:00:00Z","notAfter":"2026-12-01T00:00:00Z","revoked":true,"reason":"keyCompromise"}""")
            .On(HttpMethod.Post, "/api/v1/certificates/0A1B/revoke", (HttpStatusCode.NoContent, ""));

        var get = (await Iotid("certificates", "get", "0A1B")).Exited(0);
        (await Iotid("certificates", "revoke", "0A1B", "--reason", "superseded")).Exited(0);

        Assert.Matches(@"revoked +yes \(keyCompromise\)", get.Out);
        Assert.Equal("superseded", Body(_api.Requests[1]).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Transfers_create_sends_the_devices_of_options_and_file_once_each()
    {
        var file = Path.Combine(_folder, "devices.txt");
        string[] ids = ["d1" + new string('0', 62), "d2" + new string('0', 62), "d3" + new string('0', 62)];
        File.WriteAllLines(file, ["# line 2", ids[1], $"{ids[2]}  # spare", "", ids[0]]);
        _api.On(HttpMethod.Post, "/api/v1/transfers", (HttpStatusCode.Created, Transfer("Pending", ("d1", "Pending", null, null), ("d2", "Pending", null, null), ("d3", "Pending", null, null))));

        var run = (await Iotid("transfers", "create", "--to", "tenant-b", "--device", ids[0], "--devices-file", file,
            "--revoke-old-at", "acceptance", "--expires-in-hours", "24")).Exited(0);

        var body = Body(Assert.Single(_api.Requests));
        Assert.Equal("tenant-b", body.GetProperty("targetTenantId").GetString());
        Assert.Equal(ids, body.GetProperty("deviceIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("acceptance", body.GetProperty("revokeOldCertificateAt").GetString());
        Assert.Equal(24, body.GetProperty("expiresInHours").GetInt32());
        Assert.Contains("iotid transfers accept tr-1", run.Error);
    }

    [Fact]
    public async Task Transfers_list_passes_direction_and_state_and_tabulates_progress()
    {
        _api.On(HttpMethod.Get, "/api/v1/transfers?direction=incoming&state=Accepted",
            $$"""{"items":[{{Transfer("Accepted", ("d1", "Reenrolled", "0A", null), ("d2", "Failed", null, "timeout"))}}],"continuationToken":null}""");

        var run = (await Iotid("transfers", "list", "--direction", "incoming", "--state", "Accepted")).Exited(0);

        Assert.Matches(@"tr-1 +tenant-a +tenant-b +Accepted +2 +1 +1", run.Out);
    }

    [Fact]
    public async Task Transfers_show_prints_each_devices_progress()
    {
        _api.On(HttpMethod.Get, "/api/v1/transfers/tr-1", Transfer("Accepted", ("d1", "Reenrolled", "0A1B", null), ("d2", "CommandSent", null, null), ("d3", "Failed", null, "device refused")));

        var run = (await Iotid("transfers", "show", "tr-1")).Exited(0);

        Assert.Contains("1/3 re-enrolled, 1 command sent, 0 pending, 1 failed", run.Out);
        Assert.Matches(@"d1 +Reenrolled +2026-11-22 11:01:00Z +0A1B", run.Out);
        Assert.Matches(@"d3 +Failed .* +device refused", run.Out);
    }

    [Fact]
    public async Task Transfers_show_with_json_prints_the_APIs_JSON_as_it_came()
    {
        var json = Transfer("Pending", ("d1", "Pending", null, null));
        _api.On(HttpMethod.Get, "/api/v1/transfers/tr-1", json);

        var run = (await Iotid("transfers", "show", "tr-1", "--json")).Exited(0);

        Assert.Equal(json + "\n", run.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Transfers_accept_sends_the_target_group_and_cancel_posts_to_the_transfer()
    {
        _api.On(HttpMethod.Post, "/api/v1/transfers/tr-1/accept", Transfer("Accepted", ("d1", "Pending", null, null)))
            .On(HttpMethod.Post, "/api/v1/transfers/tr-2/cancel", (HttpStatusCode.NoContent, ""));

        (await Iotid("transfers", "accept", "tr-1", "--group", "line-2")).Exited(0);
        var cancel = (await Iotid("transfers", "cancel", "tr-2")).Exited(0);

        Assert.Equal("line-2", Body(_api.Requests[0]).GetProperty("groupId").GetString());
        Assert.Equal("/api/v1/transfers/tr-2/cancel", _api.Requests[1].PathAndQuery);
        Assert.Contains("transfer tr-2 cancelled", cancel.Out);
    }

    [Fact]
    public async Task Transfers_watch_polls_until_the_transfer_completes_and_exits_0()
    {
        _api.On(HttpMethod.Get, "/api/v1/transfers/tr-1",
            (HttpStatusCode.OK, Transfer("Accepted", ("d1", "CommandSent", null, null), ("d2", "Pending", null, null))),
            (HttpStatusCode.OK, Transfer("Accepted", ("d1", "Reenrolled", "0A", null), ("d2", "CommandSent", null, null))),
            (HttpStatusCode.OK, Transfer("Completed", ("d1", "Reenrolled", "0A", null), ("d2", "Reenrolled", "0B", null))));

        var run = (await Iotid("transfers", "watch", "tr-1", "--interval", "0.05")).Exited(0);

        Assert.Equal(3, _api.Requests.Count);
        Assert.Contains("Accepted: 1/2 re-enrolled", run.Error);
        Assert.Contains("Completed: 2/2 re-enrolled", run.Error);
        Assert.Matches(@"d2 +Reenrolled +2026-11-22 11:01:00Z +0B", run.Out);
    }

    [Fact]
    public async Task Transfers_watch_exits_1_when_the_transfer_expires()
    {
        _api.On(HttpMethod.Get, "/api/v1/transfers/tr-1", Transfer("Expired", ("d1", "Pending", null, null)));

        var run = (await Iotid("transfers", "watch", "tr-1", "--interval", "0.05")).Exited(1);

        Assert.Contains("transfer tr-1 ended Expired", run.Error);
    }

    [Fact]
    public async Task Transfers_watch_exits_1_when_a_device_failed()
    {
        _api.On(HttpMethod.Get, "/api/v1/transfers/tr-1", Transfer("Completed", ("d1", "Reenrolled", "0A", null), ("d2", "Failed", null, "unreachable")));

        var run = (await Iotid("transfers", "watch", "tr-1", "--interval", "0.05")).Exited(1);

        Assert.Contains("with 1 device(s) failed", run.Error);
    }

    [Fact]
    public async Task Ownership_export_writes_the_document_byte_for_byte()
    {
        const string document = """{"deviceId":"d1","entries":[{"sequence":0,"previousEntryHash":"","deviceId":"d1","ownerTenantId":"tenant-a","at":"2026-11-22T10:00:00Z","signerTenantId":"tenant-a","signature":"c2ln"},{"sequence":1,"previousEntryHash":"aGFzaA","deviceId":"d1","ownerTenantId":"tenant-a","nextOwnerTenantId":"tenant-b","at":"2026-11-22T11:00:00Z","signerTenantId":"tenant-a","signature":"c2lnMg"}],"owners":{"tenant-a":"PEM A","tenant-b":"PEM B"}}""";
        _api.On(HttpMethod.Get, $"/api/v1/devices/{WholeId}/ownership", document);
        var file = Path.Combine(_folder, "d1.ownership.json");

        // the genesis entry names the first owner, the hand-over the next: the note names both, in order
        var run = (await Iotid("ownership", "export", WholeId, "--out", file)).Exited(0);

        Assert.Equal(document, File.ReadAllText(file));
        Assert.Contains("2 entries, owners tenant-a -> tenant-b", run.Error);
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Ownership_export_that_is_refused_leaves_no_file()
    {
        _api.On(HttpMethod.Get, $"/api/v1/devices/{WholeId}/ownership", (HttpStatusCode.NotFound, """{"title":"NotFound","status":404,"error":"NotFound"}"""));
        var file = Path.Combine(_folder, "d1.ownership.json");

        (await Iotid("ownership", "export", WholeId, "--out", file)).Exited(1);

        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Audit_query_passes_its_filters_and_paging()
    {
        _api.On(HttpMethod.Get, $"/api/v1/audit?from=2026-11-01T00%3A00%3A00Z&deviceId={WholeId}&action=revoke&pageSize=10",
            """{"items":[{"tenantId":"tenant-a","sequence":7,"event":{"action":"revoke","subject":"d1","outcome":"done","evidenceDigest":null,"actor":"api-key:k1","at":"2026-11-22T10:00:00Z"},"previousHash":"aa","hash":"bb"}],"continuationToken":null}""");

        var run = (await Iotid("audit", "query", "--from", "2026-11-01T00:00:00Z", "--device", WholeId, "--action", "revoke", "--page-size", "10")).Exited(0);

        Assert.Matches(@"7 +2026-11-22 10:00:00Z +revoke +d1 +done +api-key:k1", run.Out);
    }

    [Fact]
    public async Task Audit_export_writes_the_NDJSON_lines_to_the_file()
    {
        const string line1 = """{"tenantId":"tenant-a","sequence":1,"event":{"action":"register","subject":"d1","outcome":"challenged","actor":"device","at":"2026-11-22T10:00:00Z"},"previousHash":"00","hash":"aa"}""";
        const string line2 = """{"tenantId":"tenant-a","sequence":2,"event":{"action":"attest","subject":"d1","outcome":"issued","actor":"device","at":"2026-11-22T10:00:01Z"},"previousHash":"aa","hash":"bb"}""";
        _api.On(HttpMethod.Get, $"/api/v1/audit/export?deviceId={WholeId}", $"{line1}\n{line2}\n");
        var file = Path.Combine(_folder, "audit.ndjson");

        var run = (await Iotid("audit", "export", "--device", WholeId, "--out", file)).Exited(0);

        Assert.Equal($"{line1}\n{line2}\n", File.ReadAllText(file));
        Assert.Contains("(2 entries)", run.Error);
    }

    [Fact]
    public async Task Audit_verify_exits_1_and_names_the_entry_when_the_chain_is_broken()
    {
        _api.On(HttpMethod.Get, "/api/v1/audit/verify", """{"isValid":false,"entriesChecked":12,"firstBrokenSequence":7,"fault":"HashMismatch","reason":"entry 7 was altered"}""");

        var run = (await Iotid("audit", "verify")).Exited(1);

        Assert.Contains("audit chain broken at entry 7: HashMismatch (entry 7 was altered)", run.Error);
    }
}
