namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// A channel to one TPM: sends one complete marshalled command (Part 1, §18 "Command/Response Structure"; header and parameters per Part 3) and
/// returns one complete response. Implementations read exact lengths — the 10-byte response header, then exactly
/// responseSize − 10 more bytes — reject a malformed header or a size over the cap with
/// <see cref="TpmTransportException"/>, and serialize concurrent callers because a TPM executes one command at a
/// time. A TPM error code is <em>not</em> an exception here: the response is returned as received.
/// </summary>
public interface ITpmTransport : IAsyncDisposable
{
    /// <summary>
    /// Sends <paramref name="command"/> (whose header commandSize must equal its length) and returns the response.
    /// Cancelling abandons the exchange; the transport is then unusable because the stream position is unknown.
    /// </summary>
    Task<byte[]> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default);
}
