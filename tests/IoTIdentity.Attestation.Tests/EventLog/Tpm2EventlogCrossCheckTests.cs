using System.Diagnostics;
using System.Text.RegularExpressions;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.EventLog;

/// <summary>
/// tpm2-tools' <c>tpm2_eventlog</c> is an independent parser and replayer: it must read a log our writer produced
/// and print, in its "pcrs:" section, the same values our replay computes.
/// </summary>
public sealed partial class Tpm2EventlogCrossCheckTests
{
    [Fact]
    public void Tpm2_eventlog_replays_a_log_we_wrote_to_the_PCR_values_we_compute()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha1, TpmAlgId.Sha256);
        var ours = EventLogReplay.Replay(EventLogParser.Parse(log));

        var theirs = Tpm2Eventlog(log);

        Assert.Equal(6, ours.Count);
        foreach (var pcr in ours)
        {
            var bank = pcr.Hash.ToString().ToLowerInvariant();
            Assert.True(theirs.TryGetValue((bank, pcr.Index), out var value), $"tpm2_eventlog printed no {bank}:{pcr.Index}");
            Assert.Equal(Convert.ToHexStringLower(pcr.Digest), value);
        }
    }

    [Fact]
    public void Tpm2_eventlog_reads_every_event_of_a_SHA256_only_log()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        var ours = EventLogReplay.Replay(EventLogParser.Parse(log));

        var theirs = Tpm2Eventlog(log);

        Assert.All(ours, pcr => Assert.Equal(Convert.ToHexStringLower(pcr.Digest), theirs[("sha256", pcr.Index)]));
    }

    /// <summary>Runs tpm2_eventlog on <paramref name="log"/> and returns its "pcrs:" section as (bank, index) → hex.</summary>
    private static Dictionary<(string Bank, int Index), string> Tpm2Eventlog(byte[] log)
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
                Assert.True(process.ExitCode == 0, $"tpm2_eventlog exited {process.ExitCode}: {stderr.Result}");
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
        Assert.True(section >= 0, $"no pcrs: section in\n{yaml}");
        string? bank = null;
        foreach (var line in yaml[(section + 6)..].Split('\n'))
        {
            if (BankLine().Match(line) is { Success: true } b) bank = b.Groups[1].Value;
            else if (PcrLine().Match(line) is { Success: true } p && bank is not null)
                result[(bank, int.Parse(p.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))] = p.Groups[2].Value.ToLowerInvariant();
        }
        return result;
    }

    [GeneratedRegex(@"^\s+(sha1|sha256|sha384|sha512):\s*$")]
    private static partial Regex BankLine();

    [GeneratedRegex(@"^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$")]
    private static partial Regex PcrLine();
}
