using System.CommandLine;
using IoTIdentity.Fleet.Cli.Commands;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// Every command of the tree that takes a device id (a <c>deviceId</c> argument or a <c>--device</c> option), found by
/// walking the tree, resolves a prefix through the inventory before it sends anything: a new command that takes a device
/// id fails the enumeration until it is listed here, and so checked.
/// </summary>
public sealed class CliDeviceIdCommandsTests
{
    private const string Ambiguous = "ab12";
    private static readonly string A1 = "ab12" + new string('1', 60);
    private static readonly string A2 = "ab12" + new string('2', 60);

    /// <summary>Each command that resolves prefixes, with the rest of a command line that reaches the lookup.</summary>
    private static readonly Dictionary<string, string[]> Resolving = new()
    {
        ["devices get"] = ["devices", "get", Ambiguous],
        ["devices attestations"] = ["devices", "attestations", Ambiguous],
        ["devices tag"] = ["devices", "tag", Ambiguous, "site:berlin"],
        ["devices disable"] = ["devices", "disable", Ambiguous],
        ["devices enable"] = ["devices", "enable", Ambiguous],
        ["devices reattest"] = ["devices", "reattest", Ambiguous],
        ["devices revoke"] = ["devices", "revoke", Ambiguous],
        ["devices links"] = ["devices", "links", Ambiguous],
        ["devices link"] = ["devices", "link", Ambiguous, A1],
        ["devices unlink"] = ["devices", "unlink", Ambiguous, A1],
        ["ownership export"] = ["ownership", "export", Ambiguous],
        ["monitoring release"] = ["monitoring", "release", Ambiguous],
        ["audit query"] = ["audit", "query", "--device", Ambiguous],
        ["audit export"] = ["audit", "export", "--device", Ambiguous],
        ["transfers create"] = ["transfers", "create", "--to", "tenant-b", "--device", Ambiguous],
    };

    /// <summary>
    /// Commands that take a whole id only, and why: an individual enrolment and an ownership voucher name a device that
    /// has usually not enrolled with the tenant yet, so no inventory entry exists to resolve a prefix against.
    /// </summary>
    private static readonly HashSet<string> WholeIdOnly =
        ["enrollments get", "enrollments put", "enrollments delete", "vouchers put", "vouchers delete"];

    public static TheoryData<string> Commands => [.. Resolving.Keys];

    [Fact]
    public void Every_command_that_takes_a_device_id_is_listed_as_resolving_prefixes_or_as_taking_whole_ids()
    {
        var root = IotIdCli.Build(new CliContext(new CliConsole { Out = TextWriter.Null, Error = TextWriter.Null }));

        var taking = Walk(root, "").Where(c => TakesDeviceId(c.Command)).Select(c => c.Path).Order().ToList();

        Assert.Equal(Resolving.Keys.Concat(WholeIdOnly).Order(), taking);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_ambiguous_prefix_is_refused_naming_the_candidates_before_anything_is_sent(string command)
    {
        var api = new CannedApi().On(HttpMethod.Get, $"/api/v1/devices?deviceIdPrefix={Ambiguous}&pageSize=11",
            $$"""{"items":[{"tenantId":"acme","deviceId":"{{A1}}","state":"Active","compliant":true,"updatedAt":"2026-12-01T08:00:00Z"},{"tenantId":"acme","deviceId":"{{A2}}","state":"Active","compliant":true,"updatedAt":"2026-12-01T08:00:00Z"}],"continuationToken":null}""");

        var run = (await CliRun.RunAsync([.. Resolving[command], "--url", "http://iotid.test", "--key", "iotid.acme.k.AAAA"], api)).Exited(1);

        Assert.Contains("ambiguous", run.Error);
        Assert.Contains(A1, run.Error);
        Assert.Contains(A2, run.Error);
        Assert.Single(api.Requests);
    }

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        foreach (var sub in command.Subcommands)
        {
            var subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
            yield return (subPath, sub);
            foreach (var nested in Walk(sub, subPath)) yield return nested;
        }
    }

    private static bool TakesDeviceId(Command command) =>
        command.Arguments.Any(a => a.Name == "deviceId") || command.Options.Any(o => o.Name == "--device");
}
