using System.Diagnostics;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// tpm2-abrmd (the TSS resource manager) on a private D-Bus session bus, in front of a swtpm: it swaps objects in and
/// out of the TPM, which tpm2-openssl needs for a TLS handshake (swtpm alone has three object slots).
/// </summary>
public sealed class TabrmdProcess : IAsyncDisposable
{
    /// <summary>How many of its last log lines are kept for <see cref="Output"/>.</summary>
    private const int KeptLines = 200;

    private readonly Process _bus;
    private readonly Process _abrmd;
    private readonly Queue<string> _lines;

    private TabrmdProcess(Process bus, Process abrmd, Queue<string> lines, string address)
    {
        _bus = bus;
        _abrmd = abrmd;
        _lines = lines;
        BusAddress = address;
    }

    /// <summary>
    /// What tpm2-abrmd logged (its warnings and errors, on stdout), the last lines, with the exit code if it exited: for a
    /// failure message of a test whose device stalled on its TPM.
    /// </summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                var exit = _abrmd.HasExited ? $"\n(tpm2-abrmd exited with {_abrmd.ExitCode})" : "";
                return _lines.Count == 0 && exit.Length == 0 ? "(tpm2-abrmd logged nothing)" : string.Join('\n', _lines) + exit;
            }
        }
    }

    /// <summary>The session bus address (DBUS_SESSION_BUS_ADDRESS for clients).</summary>
    public string BusAddress { get; }

    /// <summary>The environment a client process of this resource manager needs (its session bus).</summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment => new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = BusAddress };

    /// <summary>The TCTI string for tpm2-tss clients.</summary>
    public static string Tcti => "tabrmd:bus_type=session";

    /// <summary>The agent's <c>Agent:Tpm</c> setting for this resource manager (with DBUS_SESSION_BUS_ADDRESS set to <see cref="BusAddress"/>).</summary>
    public static string AgentEndpoint => "tcti:" + Tcti;

    public static async Task<TabrmdProcess> StartAsync(int swtpmPort)
    {
        Assert.True(File.Exists("/usr/sbin/tpm2-abrmd"), "tpm2-abrmd is missing: apt-get install tpm2-abrmd libtss2-tcti-tabrmd0");
        var bus = Process.Start(new ProcessStartInfo("dbus-daemon", ["--session", "--nofork", "--print-address=1"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var address = (await bus.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!.Trim();
        var start = new ProcessStartInfo("/usr/sbin/tpm2-abrmd", ["--session", "--allow-root", "--flush-all", $"--tcti=swtpm:host=127.0.0.1,port={swtpmPort}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = address;
        var abrmd = Process.Start(start)!;
        var lines = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            lock (lines)
            {
                lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
                if (lines.Count > KeptLines) lines.Dequeue();
            }
        }
        abrmd.OutputDataReceived += (_, e) => Keep(e.Data);
        abrmd.ErrorDataReceived += (_, e) => Keep(e.Data);
        abrmd.BeginOutputReadLine();
        abrmd.BeginErrorReadLine();
        await Task.Delay(1500);   // it claims its bus name once connected to the TPM
        Assert.False(abrmd.HasExited, "tpm2-abrmd exited at start");
        return new TabrmdProcess(bus, abrmd, lines, address);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _abrmd, _bus })
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }
}
