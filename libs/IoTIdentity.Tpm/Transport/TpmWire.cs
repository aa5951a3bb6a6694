using System.Buffers.Binary;
using System.Net.Sockets;

namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// Length-exact framing shared by the stream transports. A TPM command or response starts with a 10-byte header
/// — TPM_ST tag, UINT32 size (header included), TPM_CC or TPM_RC — Part 1, §18 "Command/Response Structure".
/// </summary>
internal static class TpmWire
{
    public const int HeaderSize = 10;

    /// <summary>Rejects a command whose header is missing or whose commandSize disagrees with its length (a caller bug).</summary>
    public static void ValidateCommand(ReadOnlySpan<byte> command)
    {
        if (command.Length < HeaderSize)
            throw new ArgumentException($"a TPM command is at least {HeaderSize} bytes; got {command.Length}", nameof(command));
        var size = BinaryPrimitives.ReadUInt32BigEndian(command[2..]);
        if (size != (uint)command.Length)
            throw new ArgumentException($"commandSize {size} does not match the {command.Length} bytes given", nameof(command));
    }

    /// <summary>
    /// Checks a response header and returns its responseSize: the tag must be a response tag (TPM_ST_NO_SESSIONS,
    /// TPM_ST_SESSIONS, or the TPM 1.2 TPM_ST_RSP_COMMAND a TPM 2.0 uses to reject 1.2 commands) and the size
    /// must lie in [10, <paramref name="maxSize"/>].
    /// </summary>
    public static int ParseResponseHeader(ReadOnlySpan<byte> header, int maxSize, string endpoint)
    {
        var tag = BinaryPrimitives.ReadUInt16BigEndian(header);
        if (tag is not (0x8001 or 0x8002 or 0x00C4))
            throw new TpmTransportException($"{endpoint}: malformed response header, tag 0x{tag:X4} is not a response tag");
        var size = BinaryPrimitives.ReadUInt32BigEndian(header[2..]);
        if (size < HeaderSize)
            throw new TpmTransportException($"{endpoint}: malformed response header, responseSize {size} is smaller than the header");
        if (size > (uint)maxSize)
            throw new TpmTransportException($"{endpoint}: responseSize {size} exceeds the {maxSize}-byte cap");
        return (int)size;
    }

    /// <summary>Reads one raw response: the header, then exactly the rest it announces.</summary>
    public static async Task<byte[]> ReadResponseAsync(Stream stream, int maxSize, string endpoint, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        await ReadExactlyAsync(stream, header, endpoint, "response header", cancellationToken).ConfigureAwait(false);
        var size = ParseResponseHeader(header, maxSize, endpoint);
        var response = new byte[size];
        header.CopyTo(response, 0);
        await ReadExactlyAsync(stream, response.AsMemory(HeaderSize), endpoint, "response body", cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>Fills <paramref name="buffer"/> or throws <see cref="TpmTransportException"/> naming how far it got.</summary>
    public static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, string endpoint, string what, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
                throw new TpmTransportException($"{endpoint}: connection closed after {read} of {buffer.Length} bytes of the {what}");
            read += n;
        }
    }

    /// <summary>Reads one big-endian UINT32.</summary>
    public static async Task<uint> ReadUInt32Async(Stream stream, string endpoint, string what, CancellationToken cancellationToken)
    {
        var buffer = new byte[4];
        await ReadExactlyAsync(stream, buffer, endpoint, what, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32BigEndian(buffer);
    }

    /// <summary>Opens a TCP connection to a simulator with a timeout, translating failures.</summary>
    public static async Task<TcpClient> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, timeoutSource.Token).ConfigureAwait(false);
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TpmTransportException($"tcp://{host}:{port}: no connection within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new TpmTransportException($"tcp://{host}:{port}: cannot connect ({e.SocketErrorCode}); is the simulator running?", e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
