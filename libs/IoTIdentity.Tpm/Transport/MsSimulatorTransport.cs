using System.Buffers.Binary;
using System.Net.Sockets;

namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// The Microsoft/IBM reference simulator's TCP protocol (the simulator that ships with the TCG reference code;
/// tpm2-tss calls it "mssim"). Two ports:
/// <list type="bullet">
/// <item>command port: <c>TPM_SEND_COMMAND (8) ‖ locality (1 byte) ‖ UINT32 length ‖ command</c>, answered by
/// <c>UINT32 length ‖ response ‖ UINT32 0</c>;</item>
/// <item>platform port: one UINT32 signal (power on 1, power off 2, NV on 11, reset 17, …), answered by UINT32 0.</item>
/// </list>
/// Both connections are ended with TPM_SESSION_END (20). The platform connection is opened on first use, so a
/// peer that only implements the command port — swtpm's data channel does, see <c>man swtpm</c>,
/// "tpm-send-command-header" — can be used for commands alone.
/// </summary>
public sealed class MsSimulatorTransport : ITpmSimulatorTransport
{
    private readonly TcpClient _command;
    private readonly NetworkStream _commandStream;
    private readonly string _host;
    private readonly int _platformPort;
    private readonly byte _locality;
    private readonly TpmTransportOptions _options;
    private readonly TransportGate _gate;
    private readonly TransportGate _platformGate;
    private TcpClient? _platform;

    private MsSimulatorTransport(TcpClient command, string host, int commandPort, int platformPort, byte locality, TpmTransportOptions options)
    {
        _command = command;
        _commandStream = command.GetStream();
        _host = host;
        _platformPort = platformPort;
        _locality = locality;
        _options = options;
        Endpoint = $"mssim://{host}:{commandPort}?platform={platformPort}";
        _gate = new TransportGate(Endpoint, options.ResponseTimeout);
        _platformGate = new TransportGate($"mssim platform tcp://{host}:{platformPort}", options.ResponseTimeout);
    }

    /// <summary>The endpoint in <see cref="TpmTransports"/> syntax, for messages and logs.</summary>
    public string Endpoint { get; }

    /// <summary>Connects the command port. <paramref name="locality"/> (0–4) is sent with every command.</summary>
    public static async Task<MsSimulatorTransport> ConnectAsync(
        string host, int commandPort, int platformPort, byte locality = 0, TpmTransportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(locality, (byte)4);
        options ??= TpmTransportOptions.Default;
        options.Validate();
        var command = await TpmWire.ConnectAsync(host, commandPort, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return new MsSimulatorTransport(command, host, commandPort, platformPort, locality, options);
    }

    /// <inheritdoc />
    public Task<byte[]> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        TpmWire.ValidateCommand(command.Span);
        return _gate.RunAsync(async ct =>
        {
            var message = new byte[9 + command.Length];
            BinaryPrimitives.WriteUInt32BigEndian(message, (uint)MsSimulatorCommand.SendCommand);
            message[4] = _locality;
            BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(5), (uint)command.Length);
            command.Span.CopyTo(message.AsSpan(9));
            await _commandStream.WriteAsync(message, ct).ConfigureAwait(false);

            // The outer length is checked against the cap before any body byte is read, then the inner
            // header must be a response header whose responseSize equals the outer length.
            var length = await TpmWire.ReadUInt32Async(_commandStream, Endpoint, "response length", ct).ConfigureAwait(false);
            if (length < TpmWire.HeaderSize || length > (uint)_options.MaxResponseSize)
                throw new TpmTransportException($"{Endpoint}: response length {length} is outside [10, {_options.MaxResponseSize}]");
            var response = new byte[length];
            await TpmWire.ReadExactlyAsync(_commandStream, response, Endpoint, "response", ct).ConfigureAwait(false);
            var size = TpmWire.ParseResponseHeader(response, _options.MaxResponseSize, Endpoint);
            if (size != response.Length)
                throw new TpmTransportException($"{Endpoint}: responseSize {size} disagrees with the framing length {length}");
            var ack = await TpmWire.ReadUInt32Async(_commandStream, Endpoint, "acknowledgement", ct).ConfigureAwait(false);
            if (ack != 0)
                throw new TpmTransportException($"{Endpoint}: simulator acknowledged the command with {ack}, not 0");
            return response;
        }, cancellationToken);
    }

    /// <summary>Platform signals TPM_SIGNAL_POWER_ON then TPM_SIGNAL_NV_ON (the simulator keeps NV off until told).</summary>
    public async Task PowerOnAsync(CancellationToken cancellationToken = default)
    {
        await SignalAsync(MsSimulatorCommand.SignalPowerOn, cancellationToken).ConfigureAwait(false);
        await SignalAsync(MsSimulatorCommand.SignalNvOn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Platform signal TPM_SIGNAL_POWER_OFF.</summary>
    public Task PowerOffAsync(CancellationToken cancellationToken = default)
        => SignalAsync(MsSimulatorCommand.SignalPowerOff, cancellationToken);

    /// <summary>Platform signal TPM_SIGNAL_RESET: _TPM_Init without a power cycle.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default)
        => SignalAsync(MsSimulatorCommand.SignalReset, cancellationToken);

    /// <summary>Ends both sessions politely (TPM_SESSION_END, best effort) and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await SayGoodbyeAsync(_commandStream).ConfigureAwait(false);
        if (_platform is { Connected: true } platform) await SayGoodbyeAsync(platform.GetStream()).ConfigureAwait(false);
        _command.Dispose();
        _platform?.Dispose();
        await _gate.CloseAsync().ConfigureAwait(false);
        await _platformGate.CloseAsync().ConfigureAwait(false);
        _gate.Dispose();
        _platformGate.Dispose();
    }

    private Task SignalAsync(MsSimulatorCommand signal, CancellationToken cancellationToken)
        => _platformGate.RunAsync(async ct =>
        {
            _platform ??= await TpmWire.ConnectAsync(_host, _platformPort, _options.ConnectTimeout, ct).ConfigureAwait(false);
            var stream = _platform.GetStream();
            var message = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(message, (uint)signal);
            await stream.WriteAsync(message, ct).ConfigureAwait(false);
            var ack = await TpmWire.ReadUInt32Async(stream, $"mssim platform tcp://{_host}:{_platformPort}", $"{signal} acknowledgement", ct).ConfigureAwait(false);
            if (ack != 0)
                throw new TpmTransportException($"mssim platform tcp://{_host}:{_platformPort}: {signal} acknowledged with {ack}, not 0");
            return true;
        }, cancellationToken);

    private static async Task SayGoodbyeAsync(NetworkStream stream)
    {
        try
        {
            var message = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(message, (uint)MsSimulatorCommand.SessionEnd);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await stream.WriteAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the peer may already be gone.
        }
    }
}
