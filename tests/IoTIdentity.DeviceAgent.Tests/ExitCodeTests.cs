namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// Expected failures the agent meets before it reaches the service: one line naming what failed and the setting or
/// file to check, no stack trace, and the exit code of the class (README: exit codes).
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-agent-exit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private AgentOptions Options(Action<AgentOptions>? change = null)
    {
        var options = new AgentOptions { StateDirectory = Path.Combine(_directory, "state"), Tpm = "swtpm://127.0.0.1:1", UseTls = false };
        change?.Invoke(options);
        return options;
    }

    internal static async Task<(int Code, string Output)> RunAsync(string directory, AgentOptions options, params string[] args)
    {
        await using var agent = AgentProcess.Start(directory, options, args[0], null, args[1..]);
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, agent.Output);
    }

    internal static void AssertOneLine(string output, params string[] expected)
    {
        foreach (var text in expected) Assert.Contains(text, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);   // no stack trace
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_TPM_exits_6_naming_the_Tpm_setting()
    {
        var (code, output) = await RunAsync(_directory, Options(), "enroll");

        Assert.Equal((int)AgentExitCode.Tpm, code);
        AssertOneLine(output, "cannot reach the TPM", "Agent:Tpm (--tpm)", "swtpm://127.0.0.1:1");
    }

    [Fact]
    public async Task A_TPM_setting_that_does_not_parse_exits_4()
    {
        var (code, output) = await RunAsync(_directory, Options(o => o.Tpm = "tpm://nowhere"), "enroll");

        Assert.Equal((int)AgentExitCode.Configuration, code);
        AssertOneLine(output, "Agent:Tpm (--tpm)", "unknown scheme");
    }

    [Fact]
    public async Task An_unknown_EK_kind_exits_4()
    {
        var (code, output) = await RunAsync(_directory, Options(o => o.Ek = "dsa"), "rotate");

        Assert.Equal((int)AgentExitCode.Configuration, code);
        AssertOneLine(output, "Agent:Ek (--ek)", "'dsa'");
    }

    [Fact]
    public async Task A_missing_trust_anchor_file_exits_4_naming_the_file()
    {
        var missing = Path.Combine(_directory, "no-such-ca.pem");
        var (code, output) = await RunAsync(_directory, Options(o => { o.UseTls = true; o.TrustAnchorPath = missing; }), "enroll");

        Assert.Equal((int)AgentExitCode.Configuration, code);
        AssertOneLine(output, "Agent:TrustAnchorPath (--trust-anchor)", missing, "no such file");
    }

    [Fact]
    public async Task An_empty_trust_anchor_file_exits_4()
    {
        var empty = Path.Combine(_directory, "empty.pem");
        await File.WriteAllTextAsync(empty, "");
        var (code, output) = await RunAsync(_directory, Options(o => { o.UseTls = true; o.TrustAnchorPath = empty; }), "run");

        Assert.Equal((int)AgentExitCode.Configuration, code);
        AssertOneLine(output, "Agent:TrustAnchorPath", empty, "holds no PEM certificate");
    }

    [Fact]
    public async Task An_EK_intermediates_file_that_is_not_PEM_exits_4()
    {
        var garbage = Path.Combine(_directory, "intermediates.pem");
        await File.WriteAllTextAsync(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        var (code, output) = await RunAsync(_directory, Options(), "enroll", "--ek-intermediates", garbage);

        Assert.Equal((int)AgentExitCode.Configuration, code);
        AssertOneLine(output, "Agent:EkIntermediatesPath (--ek-intermediates)", garbage);
    }

    [Fact]
    public async Task Boot_without_an_event_log_path_exits_4_naming_the_setting()
    {
        var (code, output) = await RunAsync(_directory, Options(), "boot", _directory);

        Assert.Equal((int)AgentExitCode.Configuration, code);
        AssertOneLine(output, "Agent:EventLogPath (--event-log)");
    }

    [Fact]
    public async Task Status_on_an_empty_state_says_how_to_enrol()
    {
        var (code, output) = await RunAsync(_directory, Options(), "status");

        Assert.Equal(0, code);
        Assert.Contains("Not enrolled. Enrol with 'iotid-agent enroll'", output, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_state_directory_a_verb_creates_is_private_to_the_agents_user()
    {
        await RunAsync(_directory, Options(), "enroll");   // fails at the TPM, after taking the lock

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_directory, "state")));
    }
}
