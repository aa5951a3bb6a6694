using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace IoTIdentity.TestKit;

/// <summary>
/// tpm2-tools' <c>tpm2_eventlog</c>, an independent event log parser and replayer: runs it on a log and returns the
/// "pcrs:" section of its YAML as (bank, index) → lowercase hex.
/// </summary>
public static partial class Tpm2Eventlog
{
    /// <summary>Replays <paramref name="log"/> with tpm2_eventlog; fails (saying how to install it) if it is missing or refuses.</summary>
    public static Dictionary<(string Bank, int Index), string> ReplayPcrs(byte[] log)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, log);
            var start = new ProcessStartInfo("tpm2_eventlog", [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            Process process;
            try { process = Process.Start(start)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("tpm2_eventlog not found: install tpm2-tools (apt-get install tpm2-tools).", e);
            }
            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(TimeSpan.FromSeconds(30))) { process.Kill(); throw new TimeoutException("tpm2_eventlog hung"); }
                if (process.ExitCode != 0) throw new XunitException($"tpm2_eventlog exited {process.ExitCode}: {stderr.Result}");
                return ParsePcrs(stdout.Result);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dictionary<(string, int), string> ParsePcrs(string yaml)
    {
        var result = new Dictionary<(string, int), string>();
        var section = yaml.IndexOf("\npcrs:", StringComparison.Ordinal);
        if (section < 0) throw new XunitException($"no pcrs: section in\n{yaml}");
        string? bank = null;
        foreach (var line in yaml[(section + 6)..].Split('\n'))
        {
            if (BankLine().Match(line) is { Success: true } b) bank = b.Groups[1].Value;
            else if (PcrLine().Match(line) is { Success: true } p && bank is not null)
                result[(bank, int.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture))] = p.Groups[2].Value.ToLowerInvariant();
        }
        return result;
    }

    [GeneratedRegex(@"^\s+(sha1|sha256|sha384|sha512):\s*$")]
    private static partial Regex BankLine();

    [GeneratedRegex(@"^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$")]
    private static partial Regex PcrLine();
}
