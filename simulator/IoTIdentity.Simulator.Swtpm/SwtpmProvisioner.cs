using System.Diagnostics;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>
/// Provisions swtpm state directories with <c>swtpm_setup</c>, using a per-run configuration whose
/// <c>create_certs_tool</c> is <c>swtpm_localca</c> pointed at a per-run CA directory. Provisioning costs about a
/// second (two EK key generations), so a template is provisioned once per test run and copied.
/// </summary>
internal static class SwtpmProvisioner
{
    private static readonly Lazy<string> RunRoot = new(CreateRunRoot);
    private static readonly Lazy<Task<ProvisionedState>> Template = new(() => ProvisionAsync(Path.Combine(RunRoot.Value, "template")));
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The per-run directory that holds the CA, the configuration, the template and all instances.</summary>
    public static string Root => RunRoot.Value;

    /// <summary>The template state, provisioned on first use.</summary>
    public static Task<ProvisionedState> GetTemplateAsync() => Template.Value;

    /// <summary>
    /// Runs swtpm_setup into <paramref name="directory"/>/state with EK certificates from the run's CA. The CA is
    /// created by the first call (swtpm_localca locks its directory, so concurrent calls are safe).
    /// </summary>
    public static async Task<ProvisionedState> ProvisionAsync(string directory)
    {
        var state = Path.Combine(directory, "state");
        var certs = Path.Combine(directory, "ek-certs");
        System.IO.Directory.CreateDirectory(state);
        System.IO.Directory.CreateDirectory(certs);
        var arguments = new[]
        {
            "--tpm2", "--tpmstate", state,
            "--create-ek-cert", "--create-platform-cert",
            "--pcr-banks", "sha256",
            "--config", Path.Combine(RunRoot.Value, "swtpm_setup.conf"),
            "--write-ek-cert-files", certs,
        };
        var result = await ProcessRunner.RunAsync(SwtpmTools.SwtpmSetup, arguments, SetupTimeout).ConfigureAwait(false);
        result.EnsureSuccess("swtpm_setup " + string.Join(' ', arguments));
        return new ProvisionedState(
            state,
            File.ReadAllBytes(Path.Combine(certs, "ek-rsa2048.crt")),
            File.ReadAllBytes(Path.Combine(certs, "ek-secp384r1.crt")),
            new SwtpmLocalCa(Path.Combine(RunRoot.Value, "ca")));
    }

    /// <summary>Copies the template's state files into <paramref name="directory"/>/state (same EK, same seeds).</summary>
    public static async Task<ProvisionedState> CopyTemplateAsync(string directory)
    {
        var template = await GetTemplateAsync().ConfigureAwait(false);
        var state = Path.Combine(directory, "state");
        System.IO.Directory.CreateDirectory(state);
        foreach (var file in System.IO.Directory.GetFiles(template.StateDirectory))
        {
            if (Path.GetFileName(file) == ".lock") continue;
            File.Copy(file, Path.Combine(state, Path.GetFileName(file)));
        }
        return template with { StateDirectory = state };
    }

    /// <summary>
    /// Reuses state kept in <paramref name="directory"/>/state by an earlier run. Its EK certificates (in NV) were
    /// issued by that run's CA; the run's template certificates stand in for the file copies.
    /// </summary>
    public static async Task<ProvisionedState> ReuseAsync(string directory)
    {
        var template = await GetTemplateAsync().ConfigureAwait(false);
        return template with { StateDirectory = Path.Combine(directory, "state") };
    }

    private static string CreateRunRoot()
    {
        _ = SwtpmTools.SwtpmLocalCa;
        var root = Path.Combine(Path.GetTempPath(), $"iotidentity-swtpm-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var ca = Path.Combine(root, "ca");
        System.IO.Directory.CreateDirectory(ca);
        File.WriteAllText(Path.Combine(root, "swtpm-localca.conf"),
            $"statedir = {ca}\nsigningkey = {ca}/signkey.pem\nissuercert = {ca}/issuercert.pem\ncertserial = {ca}/certserial\n");
        File.WriteAllText(Path.Combine(root, "swtpm-localca.options"),
            "--platform-manufacturer IoTIdentity\n--platform-version 2.1\n--platform-model TestDevice\n");
        File.WriteAllText(Path.Combine(root, "swtpm_setup.conf"),
            $"create_certs_tool = {SwtpmTools.SwtpmLocalCa}\n" +
            $"create_certs_tool_config = {root}/swtpm-localca.conf\n" +
            $"create_certs_tool_options = {root}/swtpm-localca.options\n" +
            "active_pcr_banks = sha256\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        Trace.WriteLine($"swtpm test run directory: {root}");
        return root;
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A provisioned state directory and what swtpm_setup wrote into it.</summary>
    internal sealed record ProvisionedState(string StateDirectory, byte[] RsaEkCertificateDer, byte[] EccEkCertificateDer, SwtpmLocalCa Ca);
}
