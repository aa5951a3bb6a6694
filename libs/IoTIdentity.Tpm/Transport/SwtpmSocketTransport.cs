using System.Buffers.Binary;
using System.Net.Sockets;

namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// swtpm's socket interface: <c>swtpm socket --tpm2 --server type=tcp,port=P --ctrl type=tcp,port=C</c>. The
/// server (data) channel carries raw TPM commands and responses; the control channel carries swtpm's CMD_*
/// requests (<c>man swtpm</c>, <c>tpm_ioctl.h</c>), which play the part of the platform: power-on is CMD_INIT,
/// power-off is CMD_STOP, a reset is CMD_INIT on a running TPM, and <see cref="TerminateAsync"/> (CMD_SHUTDOWN)
/// ends the swtpm process. swtpm serves one data connection at a time; this transport holds it until disposed.
/// Unless swtpm runs with <c>--flags not-need-init</c>, nothing works before <see cref="PowerOnAsync"/>.
/// </summary>
public sealed class SwtpmSocketTransport : ITpmSimulatorTransport
{
    private const uint PtmInitFlagDeleteVolatile = 1;

    private readonly TcpClient _data;
    private readonly NetworkStream _stream;
    private readonly string _host;
    private readonly int _controlPort;
    private readonly TpmTransportOptions _options;
    private readonly TransportGate _gate;
    private readonly SemaphoreSlim _controlLock = new(1, 1);

    private SwtpmSocketTransport(TcpClient data, string host, int dataPort, int controlPort, TpmTransportOptions options)
    {
        _data = data;
        _stream = data.GetStream();
        _host = host;
        _controlPort = controlPort;
        _options = options;
        Endpoint = $"swtpm://{host}:{dataPort}?ctrl={controlPort}";
        _gate = new TransportGate(Endpoint, options.ResponseTimeout);
    }

    /// <summary>The endpoint in <see cref="TpmTransports"/> syntax, for messages and logs.</summary>
    public string Endpoint { get; }

    /// <summary>Connects the data channel; the control channel is connected per control request.</summary>
    public static async Task<SwtpmSocketTransport> ConnectAsync(
        string host, int dataPort, int controlPort, TpmTransportOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= TpmTransportOptions.Default;
        options.Validate();
        var data = await TpmWire.ConnectAsync(host, dataPort, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return new SwtpmSocketTransport(data, host, dataPort, controlPort, options);
    }

    /// <inheritdoc />
    public Task<byte[]> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        TpmWire.ValidateCommand(command.Span);
        return _gate.RunAsync(async ct =>
        {
            await _stream.WriteAsync(command, ct).ConfigureAwait(false);
            return await TpmWire.ReadResponseAsync(_stream, _options.MaxResponseSize, Endpoint, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>CMD_INIT with no flags: swtpm loads its state and performs _TPM_Init; TPM2_Startup must follow.</summary>
    public Task PowerOnAsync(CancellationToken cancellationToken = default) => InitAsync(deleteVolatileState: false, cancellationToken);

    /// <summary>CMD_STOP: swtpm stops the TPM (volatile state is lost) but keeps listening; power on again with <see cref="PowerOnAsync"/>.</summary>
    public Task PowerOffAsync(CancellationToken cancellationToken = default)
        => ControlAsync(SwtpmControlCommand.Stop, ReadOnlyMemory<byte>.Empty, 0, cancellationToken);

    /// <summary>CMD_INIT on a running TPM: swtpm re-initializes it, which is a platform reset (_TPM_Init).</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => InitAsync(deleteVolatileState: false, cancellationToken);

    /// <summary>
    /// CMD_INIT; with <paramref name="deleteVolatileState"/> (PTM_INIT_FLAG_DELETE_VOLATILE) swtpm deletes a
    /// saved volatile-state file after reading it.
    /// </summary>
    public Task InitAsync(bool deleteVolatileState, CancellationToken cancellationToken = default)
    {
        var request = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(request, deleteVolatileState ? PtmInitFlagDeleteVolatile : 0);
        return ControlAsync(SwtpmControlCommand.Init, request, 0, cancellationToken);
    }

    /// <summary>CMD_SHUTDOWN: swtpm stops the TPM and the swtpm process exits. The transport is useless afterwards.</summary>
    public Task TerminateAsync(CancellationToken cancellationToken = default)
        => ControlAsync(SwtpmControlCommand.Shutdown, ReadOnlyMemory<byte>.Empty, 0, cancellationToken);

    /// <summary>CMD_GET_CAPABILITY: the PTM_CAP_* bits of the control commands this swtpm supports.</summary>
    /// <remarks>
    /// swtpm up to 0.7 answers a big-endian 64-bit ptm_cap whose high word is zero; later versions answer a
    /// UINT32 result then UINT32 caps. Reading "result, then caps" accepts both.
    /// </remarks>
    public async Task<uint> GetControlCapabilitiesAsync(CancellationToken cancellationToken = default)
    {
        var body = await ControlAsync(SwtpmControlCommand.GetCapability, ReadOnlyMemory<byte>.Empty, 4, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32BigEndian(body);
    }

    /// <summary>CMD_GET_TPMESTABLISHED: the TPM's tpmEstablished flag (the TPM_ACCESS tpmEstablishment bit of the PC Client platform TPM profile).</summary>
    public async Task<bool> GetTpmEstablishedAsync(CancellationToken cancellationToken = default)
    {
        var body = await ControlAsync(SwtpmControlCommand.GetTpmEstablished, ReadOnlyMemory<byte>.Empty, 4, cancellationToken).ConfigureAwait(false);
        return body[0] != 0;
    }

    /// <summary>CMD_RESET_TPMESTABLISHED from <paramref name="locality"/> (swtpm requires locality 3 or 4).</summary>
    public Task ResetTpmEstablishedAsync(byte locality, CancellationToken cancellationToken = default)
        => ControlAsync(SwtpmControlCommand.ResetTpmEstablished, new[] { locality }, 0, cancellationToken);

    /// <summary>CMD_SET_LOCALITY: the locality (0–4) subsequent commands are sent from.</summary>
    public Task SetLocalityAsync(byte locality, CancellationToken cancellationToken = default)
        => ControlAsync(SwtpmControlCommand.SetLocality, new[] { locality }, 0, cancellationToken);

    /// <summary>Closes the data channel (any exchange in progress fails). swtpm keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        _data.Dispose();
        await _gate.CloseAsync().ConfigureAwait(false);
        _gate.Dispose();
        _controlLock.Dispose();
    }

    /// <summary>
    /// One control request on its own connection: send the code and request body, read the UINT32 result, then
    /// <paramref name="responseBodySize"/> more bytes. A non-zero result is a <see cref="TpmTransportException"/>.
    /// </summary>
    private async Task<byte[]> ControlAsync(
        SwtpmControlCommand command, ReadOnlyMemory<byte> request, int responseBodySize, CancellationToken cancellationToken)
    {
        var endpoint = $"swtpm control tcp://{_host}:{_controlPort}";
        await _controlLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_options.ResponseTimeout != Timeout.InfiniteTimeSpan) timeoutSource.CancelAfter(_options.ResponseTimeout);
            var ct = timeoutSource.Token;
            try
            {
                using var client = await TpmWire.ConnectAsync(_host, _controlPort, _options.ConnectTimeout, ct).ConfigureAwait(false);
                var stream = client.GetStream();
                var message = new byte[4 + request.Length];
                BinaryPrimitives.WriteUInt32BigEndian(message, (uint)command);
                request.Span.CopyTo(message.AsSpan(4));
                await stream.WriteAsync(message, ct).ConfigureAwait(false);

                var result = await TpmWire.ReadUInt32Async(stream, endpoint, $"CMD_{command} result", ct).ConfigureAwait(false);
                if (result != 0)
                    throw new TpmTransportException($"{endpoint}: CMD_{command} failed with result 0x{result:X8}");
                var body = new byte[responseBodySize];
                await TpmWire.ReadExactlyAsync(stream, body, endpoint, $"CMD_{command} response", ct).ConfigureAwait(false);
                return body;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TpmTransportException($"{endpoint}: no answer to CMD_{command} within {_options.ResponseTimeout.TotalSeconds:0.#} s");
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                throw new TpmTransportException($"{endpoint}: CMD_{command} failed: {e.Message}", e);
            }
        }
        finally
        {
            _controlLock.Release();
        }
    }
}
