using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Transport;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>
/// A real swtpm process for one test: <c>swtpm socket --tpm2</c> on free loopback ports (control port = data
/// port + 1, the convention of tpm2-tss's swtpm TCTI), with its own state directory, connected and powered on.
/// </summary>
/// <remarks>
/// <para><b>Provisioning.</b> State comes from <c>swtpm_setup --tpm2 --tpmstate DIR --create-ek-cert
/// --create-platform-cert --pcr-banks sha256 --config RUN/swtpm_setup.conf --write-ek-cert-files DIR</c>, whose
/// configuration points <c>create_certs_tool</c> at <c>swtpm_localca</c> with a CA directory private to the test run
/// (<see cref="ManufacturerCa"/>). With swtpm 0.7 this leaves, per TPM:</para>
/// <list type="bullet">
/// <item>an RSA 2048 EK (TCG default template, decrypt-only) persisted at handle 0x81010001, its certificate in NV
/// index 0x01C00002 (TCG "EK Credential Profile" low range: RSA 2048 EK certificate);</item>
/// <item>an ECC NIST P-384 EK persisted at 0x81010016, its certificate in NV index 0x01C00016 (high range: ECC
/// P-384 EK certificate). There is no P-256 EK certificate at 0x01C0000A;</item>
/// <item>a platform certificate in NV index 0x01C08000, and a sha256-only PCR bank.</item>
/// </list>
/// <para>Both EK certificates are issued by CN=swtpm-localca, which CN=swtpm-localca-rootca signs.
/// No EK template or nonce is written to NV (0x01C00004 etc. are absent), so the TCG default templates apply.</para>
/// <para><b>Cost and sharing.</b> The run provisions one template once and copies its state file for each
/// instance, so every default instance has the <em>same</em> seeds, EK and EK certificate. Set
/// <see cref="SwtpmOptions.FreshEndorsementKey"/> for a separately provisioned TPM (about a second).</para>
/// <para><b>Startup.</b> The TPM is powered on over the control channel (CMD_INIT) and, unless
/// <see cref="SwtpmOptions.SendStartup"/> is false, has received TPM2_Startup(CLEAR).</para>
/// <para>If swtpm or swtpm_setup is missing, <see cref="StartAsync"/> throws: the test fails and says how to
/// install them. Disposal kills the process and deletes the state.</para>
/// </remarks>
public sealed class SwtpmProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private static readonly TpmTransportOptions TransportOptions = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ResponseTimeout = TimeSpan.FromSeconds(30),
    };
    private static readonly byte[] StartupClear = [0x80, 0x01, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x01, 0x44, 0x00, 0x00];

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly string _directory;
    private readonly SwtpmProvisioner.ProvisionedState _state;
    private SwtpmSocketTransport? _transport;

    static SwtpmProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { }
            }
        };
    }

    private SwtpmProcess(Process process, StringBuilder log, string directory, SwtpmProvisioner.ProvisionedState state, int dataPort, SwtpmSocketTransport transport, bool freshEk)
    {
        _process = process;
        _log = log;
        _directory = directory;
        _state = state;
        DataPort = dataPort;
        _transport = transport;
        HasOwnEndorsementKey = freshEk;
    }

    /// <summary>The connected, powered-on transport this fixture owns (until <see cref="ReleaseTransportAsync"/>).</summary>
    public SwtpmSocketTransport Transport => _transport ?? throw new InvalidOperationException("the transport was released");

    /// <summary>The data (TPM command) port on 127.0.0.1.</summary>
    public int DataPort { get; }

    /// <summary>The control port on 127.0.0.1: always <see cref="DataPort"/> + 1.</summary>
    public int ControlPort => DataPort + 1;

    /// <summary>The configuration string for <see cref="TpmTransports.OpenAsync(string, TpmTransportOptions?, CancellationToken)"/>.</summary>
    public string Endpoint => $"swtpm://127.0.0.1:{DataPort}?ctrl={ControlPort}";

    /// <summary>The swtpm state directory (deleted on dispose).</summary>
    public string StateDirectory => _state.StateDirectory;

    /// <summary>The swtpm process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>CPU time the swtpm process has used so far (its key generation, signing, decryption).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>True when this TPM was provisioned on its own rather than copied from the run's template.</summary>
    public bool HasOwnEndorsementKey { get; }

    /// <summary>The run's local CA: the trusted manufacturer root and the EK certificates' issuer.</summary>
    public SwtpmLocalCa ManufacturerCa => _state.Ca;

    /// <summary>The RSA 2048 EK certificate (DER), as written to NV index 0x01C00002.</summary>
    public byte[] RsaEkCertificateDer => _state.RsaEkCertificateDer;

    /// <summary>The ECC P-384 EK certificate (DER), as written to NV index 0x01C00016.</summary>
    public byte[] EccEkCertificateDer => _state.EccEkCertificateDer;

    /// <summary>The RSA EK certificate as an object (new instance per call; dispose it).</summary>
    public X509Certificate2 RsaEkCertificate => X509CertificateLoader.LoadCertificate(RsaEkCertificateDer);

    /// <summary>tpm2-tools settings for this TPM (release the transport first: swtpm serves one data client at a time).</summary>
    public TpmToolsEnvironment TpmTools => new("127.0.0.1", DataPort);

    /// <summary>What swtpm printed so far (for failure messages).</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts, connects and powers on a swtpm; see the type's remarks.</summary>
    public static async Task<SwtpmProcess> StartAsync(SwtpmOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= SwtpmOptions.Default;
        var swtpm = SwtpmTools.Swtpm;
        _ = SwtpmTools.SwtpmSetup;
        var directory = options.PersistentDirectory ?? Path.Combine(SwtpmProvisioner.Root, "instances", Guid.NewGuid().ToString("N"));
        try
        {
            var state = options.PersistentDirectory is not null && File.Exists(Path.Combine(directory, "state", "tpm2-00.permall"))
                ? await SwtpmProvisioner.ReuseAsync(directory).ConfigureAwait(false)
                : options.FreshEndorsementKey
                    ? await SwtpmProvisioner.ProvisionAsync(directory).ConfigureAwait(false)
                    : await SwtpmProvisioner.CopyTemplateAsync(directory).ConfigureAwait(false);

            for (var attempt = 1; ; attempt++)
            {
                var port = FreePorts.NextPair();
                var log = new StringBuilder();
                var process = Launch(swtpm, state.StateDirectory, port, log);
                var transport = await WaitUntilListeningAsync(process, port, log, cancellationToken).ConfigureAwait(false);
                if (transport is null)
                {
                    Running.TryRemove(process.Id, out _);
                    process.Dispose();
                    if (attempt < 5 && Contains(log, "in use")) continue;
                    throw new InvalidOperationException($"swtpm exited during start-up on ports {port}/{port + 1}:\n{log}");
                }

                var fixture = new SwtpmProcess(process, log, directory, state, port, transport, options.FreshEndorsementKey)
                {
                    _keepState = options.PersistentDirectory is not null,
                };
                try
                {
                    await transport.PowerOnAsync(cancellationToken).ConfigureAwait(false);
                    if (options.SendStartup)
                    {
                        var response = await transport.SendAsync(StartupClear, cancellationToken).ConfigureAwait(false);
                        var rc = BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(6));
                        if (rc != 0) throw new TpmException(rc, TpmCc.Startup);
                    }
                    return fixture;
                }
                catch (IoTIdentity.Tpm.Transport.TpmTransportException) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
                {
                    // no answer on ports picked free a moment before: another process can take one between the pick and
                    // swtpm's bind, and the connection then reaches a listener that is not this swtpm (or this swtpm
                    // stalled) — start it again on other ports, keeping its state
                    fixture._keepState = true;
                    await fixture.DisposeAsync().ConfigureAwait(false);
                }
                catch
                {
                    await fixture.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }
        catch
        {
            SwtpmProvisioner.TryDelete(directory);
            throw;
        }
    }

    /// <summary>
    /// Starts one swtpm per entry of <paramref name="options"/> at once. When any start fails, the ones that did start
    /// are stopped before the failure is thrown: nobody else holds them, so they would outlive the caller.
    /// </summary>
    public static async Task<SwtpmProcess[]> StartAllAsync(IEnumerable<SwtpmOptions> options, CancellationToken cancellationToken = default)
    {
        var starts = options.Select(o => StartAsync(o, cancellationToken)).ToList();
        try
        {
            return await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully)) await start.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens an additional transport to this swtpm (it waits until the fixture's transport is released).</summary>
    public Task<SwtpmSocketTransport> ConnectAsync(CancellationToken cancellationToken = default)
        => SwtpmSocketTransport.ConnectAsync("127.0.0.1", DataPort, ControlPort, TransportOptions, cancellationToken);

    /// <summary>Closes the fixture's data connection so another client (tpm2-tools, another transport) can connect.</summary>
    public async Task ReleaseTransportAsync()
    {
        if (_transport is { } transport)
        {
            _transport = null;
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the transport, kills swtpm and deletes the state directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await ReleaseTransportAsync().ConfigureAwait(false);
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
        if (!_keepState) SwtpmProvisioner.TryDelete(_directory);
    }

    private bool _keepState;

    private static Process Launch(string swtpm, string stateDirectory, int port, StringBuilder log)
    {
        var start = new ProcessStartInfo(swtpm)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "socket", "--tpm2",
                     "--tpmstate", $"dir={stateDirectory}",
                     "--server", $"type=tcp,port={port},bindaddr=127.0.0.1",
                     "--ctrl", $"type=tcp,port={port + 1},bindaddr=127.0.0.1",
                 })
            start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<SwtpmSocketTransport?> WaitUntilListeningAsync(Process process, int port, StringBuilder log, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            try
            {
                var transport = await SwtpmSocketTransport.ConnectAsync("127.0.0.1", port, port + 1, TransportOptions, cancellationToken).ConfigureAwait(false);
                if (!process.HasExited) return transport;
                await transport.DisposeAsync().ConfigureAwait(false);
            }
            catch (TpmTransportException)
            {
            }
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"swtpm did not listen on 127.0.0.1:{port} within 10 s:\n{log}");
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null) return;
        lock (log) log.AppendLine(line);
    }

    private static bool Contains(StringBuilder log, string text)
    {
        lock (log) return log.ToString().Contains(text, StringComparison.OrdinalIgnoreCase);
    }
}
