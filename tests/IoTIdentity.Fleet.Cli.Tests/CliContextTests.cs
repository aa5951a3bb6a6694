namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// Named contexts: saved owner-only in the configuration folder, listed without their keys, switched with <c>use</c>,
/// and chosen for a command in the documented order (flags, <c>--context</c>, the environment, the context in use).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CliContextTests : IDisposable
{
    private const string KeyA = "iotid.tenant-a.0a0a0a0a0a0a.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private const string KeyB = "iotid.tenant-b.0b0b0b0b0b0b.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    private const string DevicesA = "/api/v1/devices";
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-contexts-").FullName;
    private readonly CannedApi _api = new CannedApi().On(HttpMethod.Get, DevicesA, """{"items":[],"continuationToken":null}""");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Environment(params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["IOTID_CONFIG_DIR"] = Path.Combine(_folder, "config") };
        foreach (var (name, value) in more) environment[name] = value;
        return environment;
    }

    private Task<CliRun> Iotid(Dictionary<string, string> environment, params string[] args) => CliRun.RunAsync(args, _api, environment);

    private Task<CliRun> Iotid(params string[] args) => Iotid(Environment(), args);

    private async Task AddBothAsync()
    {
        (await Iotid("context", "add", "a", "--url", "https://a.example:8443", "--key", KeyA)).Exited(0);
        (await Iotid("context", "add", "b", "--url", "https://b.example", "--key", KeyB)).Exited(0);
    }

    [Fact]
    public async Task Contexts_are_saved_owner_only_and_listed_without_their_keys()
    {
        await AddBothAsync();

        var list = (await Iotid("context", "list")).Exited(0);
        var file = Path.Combine(_folder, "config", "contexts.json");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Contains("https://a.example:8443", list.Out);
        Assert.Contains("iotid.tenant-a.0a0a0a0a0a0a.…", list.Out);
        Assert.DoesNotContain("AAAAAAAA", list.Out + list.Error);
        Assert.DoesNotContain("BBBBBBBB", list.Out + list.Error);
        // the first context added is the one in use
        Assert.Matches(@"\*\s+a\s", list.Out);
        Assert.DoesNotMatch(@"\*\s+b\s", list.Out);
    }

    [Fact]
    public async Task A_command_calls_the_context_in_use_until_another_is_used_or_named()
    {
        await AddBothAsync();

        (await Iotid("devices", "list")).Exited(0);
        (await Iotid("context", "use", "b")).Exited(0);
        (await Iotid("devices", "list")).Exited(0);
        (await Iotid("devices", "list", "--context", "a")).Exited(0);
        (await Iotid(Environment(("IOTID_API_KEY", KeyA)), "devices", "list")).Exited(0);   // the environment beats the context in use
        (await Iotid("devices", "list", "--key", KeyA)).Exited(0);                           // and a flag beats both

        Assert.Equal([$"Bearer {KeyA}", $"Bearer {KeyB}", $"Bearer {KeyA}", $"Bearer {KeyA}", $"Bearer {KeyA}"], _api.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task A_contexts_key_is_never_sent_to_another_url()
    {
        await AddBothAsync();

        (await Iotid("devices", "list", "--url", "https://elsewhere.example")).Exited(0);
        (await Iotid("devices", "list", "--context", "b", "--url", "https://elsewhere.example")).Exited(0);

        Assert.All(_api.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Unknown_contexts_are_usage_errors_naming_the_ones_there_are_and_remove_forgets_one()
    {
        await AddBothAsync();

        var unknown = (await Iotid("devices", "list", "--context", "c")).Exited(2);
        var useUnknown = (await Iotid("context", "use", "c")).Exited(2);
        (await Iotid("context", "remove", "a")).Exited(0);
        var list = (await Iotid("context", "list")).Exited(0);
        var badName = (await Iotid("context", "add", "no spaces", "--url", "https://x.example")).Exited(2);
        var badUrl = (await Iotid("context", "add", "x", "--url", "ftp://x.example")).Exited(2);

        Assert.Contains("the contexts are a, b", unknown.Error);
        Assert.Contains("the contexts are a, b", useUnknown.Error);
        Assert.DoesNotContain("a.example", list.Out);
        Assert.Contains("b.example", list.Out);
        Assert.Contains("context name", badName.Error);
        Assert.Contains("http(s) URL", badUrl.Error);
        Assert.Empty(_api.Requests);
        // with the context in use removed, a command falls back to the default service and no key
        (await Iotid("devices", "list")).Exited(0);
        Assert.Null(Assert.Single(_api.Requests).Authorization);
    }

    [Fact]
    public async Task A_contexts_file_others_can_read_is_used_with_a_warning()
    {
        await AddBothAsync();
        File.SetUnixFileMode(Path.Combine(_folder, "config", "contexts.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var run = (await Iotid("devices", "list")).Exited(0);

        Assert.Contains("chmod 600", run.Error);
        Assert.Equal($"Bearer {KeyA}", Assert.Single(_api.Requests).Authorization);
    }
}
