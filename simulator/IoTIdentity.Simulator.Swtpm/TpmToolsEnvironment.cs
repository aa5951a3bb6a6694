namespace IoTIdentity.Simulator.Swtpm;

/// <summary>
/// Settings for running tpm2-tools against a swtpm, for cross-check tests. The TCTI string is tpm2-tss's swtpm
/// TCTI, <c>swtpm:host=127.0.0.1,port=P</c> (<c>man tpm2</c>, "TCTI configuration"), which uses port P for
/// commands and P + 1 for swtpm's control channel; it is passed as <c>TPM2TOOLS_TCTI</c>. swtpm serves one data
/// connection at a time, so call <see cref="SwtpmProcess.ReleaseTransportAsync"/> before running a tool.
/// </summary>
public sealed class TpmToolsEnvironment
{
    private const string InstallHint = "run `apt-get install -y swtpm swtpm-tools tpm2-tools` (or ./scripts/test.sh, which installs it)";

    /// <summary>Settings for the swtpm whose data port is <paramref name="dataPort"/> (control on <paramref name="dataPort"/> + 1).</summary>
    public TpmToolsEnvironment(string host, int dataPort)
    {
        Tcti = $"swtpm:host={host},port={dataPort}";
    }

    /// <summary>The TCTI configuration, e.g. <c>swtpm:host=127.0.0.1,port=2321</c>.</summary>
    public string Tcti { get; }

    /// <summary>Environment variables that point tpm2-tools at this TPM.</summary>
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string> { ["TPM2TOOLS_TCTI"] = Tcti };

    /// <summary>
    /// Runs a tpm2-tools program (e.g. <c>tpm2_getrandom</c>) against this TPM. A missing tool fails with the
    /// install command; the exit code is returned, not checked (see <see cref="ProcessResult.EnsureSuccess"/>).
    /// </summary>
    public Task<ProcessResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var path = ProcessRunner.FindOnPath(tool)
                   ?? throw new InvalidOperationException($"tpm2-tools not found ({tool} is not on PATH): {InstallHint}");
        return ProcessRunner.RunAsync(path, arguments, timeout ?? TimeSpan.FromSeconds(20), Variables, cancellationToken);
    }
}
