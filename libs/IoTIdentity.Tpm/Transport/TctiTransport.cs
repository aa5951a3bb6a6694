using System.Runtime.InteropServices;

namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// A TPM reached through a tpm2-tss TCTI (TPM Command Transmission Interface) loaded by <c>libtss2-tctildr</c>: the
/// same configuration strings tpm2-tools and tpm2-openssl take, e.g. <c>tabrmd:bus_type=session</c> for the
/// tpm2-abrmd resource manager or <c>device:/dev/tpmrm0</c>. Its use is sharing one TPM with OpenSSL's tpm2 provider
/// behind a user-space resource manager, where the kernel has none (a software TPM); on hardware
/// <see cref="DeviceTransport"/> on <c>/dev/tpmrm0</c> does the same without a native library.
/// </summary>
/// <remarks>
/// The TCTI context starts with the v1 common structure (TSS2 TCTI Specification, §3.2: magic, version, then the
/// transmit, receive, finalize, cancel, getPollHandles and setLocality function pointers); this class calls transmit
/// and receive through it. The calls block, so they run on a thread-pool thread under the transport's gate.
/// </remarks>
public sealed class TctiTransport : ITpmTransport
{
    private const string Library = "libtss2-tctildr.so.0";
    private const int TransmitOffset = 16;
    private const int ReceiveOffset = 24;
    private const int BlockForever = -1;

    private readonly TpmTransportOptions _options;
    private readonly TransportGate _gate;
    private readonly Transmit _transmit;
    private readonly Receive _receive;
    private nint _context;
    private Task _exchange = Task.CompletedTask;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate uint Transmit(nint context, nuint size, byte[] command);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate uint Receive(nint context, ref nuint size, byte[] response, int timeout);

    private TctiTransport(nint context, string configuration, TpmTransportOptions options)
    {
        _context = context;
        _options = options;
        Configuration = configuration;
        _gate = new TransportGate("tcti:" + configuration, options.ResponseTimeout);
        _transmit = Marshal.GetDelegateForFunctionPointer<Transmit>(Marshal.ReadIntPtr(context, TransmitOffset));
        _receive = Marshal.GetDelegateForFunctionPointer<Receive>(Marshal.ReadIntPtr(context, ReceiveOffset));
    }

    /// <summary>The TCTI configuration this transport loaded, e.g. <c>tabrmd:bus_type=session</c>.</summary>
    public string Configuration { get; }

    /// <summary>
    /// Loads the TCTI <paramref name="configuration"/> names. A missing library or a TCTI that cannot reach its TPM is
    /// a <see cref="TpmTransportException"/> that says what to check.
    /// </summary>
    public static TctiTransport Open(string configuration, TpmTransportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        options ??= TpmTransportOptions.Default;
        options.Validate();
        uint rc;
        nint context;
        try
        {
            rc = Tss2_TctiLdr_Initialize(configuration, out context);
        }
        catch (DllNotFoundException e)
        {
            throw new TpmTransportException($"tcti:{configuration}: {Library} is missing (apt-get install libtss2-tctildr0, and the TCTI's own package)", e);
        }
        if (rc != 0 || context == 0)
            throw new TpmTransportException($"tcti:{configuration}: the TCTI could not be loaded or could not reach the TPM (TSS2 rc 0x{rc:x8}); for tabrmd, is tpm2-abrmd running and DBUS_SESSION_BUS_ADDRESS set?");
        return new TctiTransport(context, configuration, options);
    }

    /// <inheritdoc />
    public Task<byte[]> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        TpmWire.ValidateCommand(command.Span);
        var copy = command.ToArray();
        return _gate.RunAsync(ct =>
        {
            var exchange = Task.Run(() => Exchange(copy), CancellationToken.None);
            _exchange = exchange;
            return exchange.WaitAsync(ct);
        }, cancellationToken);
    }

    /// <summary>
    /// Finalizes the TCTI; a resource manager flushes the transient objects and sessions of this connection. A native
    /// exchange still blocked in receive (its response timed out and the TPM has not answered since) keeps the context:
    /// finalizing it then would free what that receive reads into and writes, from another thread — undefined, and
    /// through tpm2-abrmd possibly a finalize that never returns. The context is waited for a few seconds, then left to
    /// the process.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.CloseAsync().ConfigureAwait(false);
        _gate.Dispose();
        var exchange = _exchange;
        var idle = exchange.IsCompleted || await Task.WhenAny(exchange, Task.Delay(BlockedExchangeWait)).ConfigureAwait(false) == exchange;
        if (_context != 0 && idle) Tss2_TctiLdr_Finalize(ref _context);
    }

    /// <summary>How long <see cref="DisposeAsync"/> waits for a blocked native exchange before it leaves the context unfinalized.</summary>
    private static readonly TimeSpan BlockedExchangeWait = TimeSpan.FromSeconds(5);

    private byte[] Exchange(byte[] command)
    {
        var rc = _transmit(_context, (nuint)command.Length, command);
        if (rc != 0) throw new TpmTransportException($"tcti:{Configuration}: transmit failed (TSS2 rc 0x{rc:x8})");
        var buffer = new byte[_options.MaxResponseSize];
        var size = (nuint)buffer.Length;
        rc = _receive(_context, ref size, buffer, BlockForever);
        if (rc != 0) throw new TpmTransportException($"tcti:{Configuration}: receive failed (TSS2 rc 0x{rc:x8})");
        var length = TpmWire.ParseResponseHeader(buffer, _options.MaxResponseSize, "tcti:" + Configuration);
        if ((nuint)length != size) throw new TpmTransportException($"tcti:{Configuration}: received {size} bytes but responseSize is {length}");
        return buffer.AsSpan(0, length).ToArray();
    }

    [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern uint Tss2_TctiLdr_Initialize(string nameConf, out nint context);

    [DllImport(Library)]
    private static extern void Tss2_TctiLdr_Finalize(ref nint context);
}
