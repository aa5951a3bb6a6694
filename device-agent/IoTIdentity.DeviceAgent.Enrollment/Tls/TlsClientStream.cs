using System.Buffers;
using System.Runtime.InteropServices;
using Org.BouncyCastle.Tls;

namespace IoTIdentity.DeviceAgent.Enrollment.Tls;

/// <summary>
/// A TLS client connection over a network stream, driven by BouncyCastle's protocol in non-blocking mode: the
/// handshake runs synchronously on a thread of its own (its client certificate's signature may wait for a TPM), then
/// application data moves asynchronously, records decrypted as they arrive and encrypted as they are written. One
/// gate orders every use of the protocol state and the records it writes, so a reader and a writer may run at once
/// (as MQTTnet's receive loop and its senders do).
/// </summary>
internal sealed class TlsClientStream : Stream
{
    private readonly Stream _network;
    private readonly TlsClientProtocol _protocol = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _received = new byte[16 * 1024];
    private int _disposed;

    private TlsClientStream(Stream network) => _network = network;

    /// <summary>Runs the handshake of <paramref name="client"/> over <paramref name="network"/> (which the result then owns).</summary>
    public static async Task<TlsClientStream> ConnectAsync(Stream network, TlsClient client, CancellationToken cancellationToken)
    {
        var stream = new TlsClientStream(network);
        try
        {
            // a blocking read is cut short by closing the network stream
            await using (cancellationToken.Register(network.Dispose))
                await Task.Factory.StartNew(() => stream.Handshake(client), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                    .ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Handshake(TlsClient client)
    {
        _protocol.Connect(client);
        Send();
        while (_protocol.IsHandshaking)
        {
            var read = _network.Read(_received);
            if (read == 0) throw new IOException("the broker closed the connection during the TLS handshake");
            try
            {
                _protocol.OfferInput(_received, 0, read);
            }
            finally
            {
                Send(); // the next flight, or the alert that ends the handshake
            }
        }
    }

    private void Send()
    {
        int available;
        while ((available = _protocol.GetAvailableOutputBytes()) > 0)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(available);
            try
            {
                _network.Write(chunk, 0, _protocol.ReadOutput(chunk, 0, available));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        int available;
        while ((available = _protocol.GetAvailableOutputBytes()) > 0)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(available);
            try
            {
                var length = _protocol.ReadOutput(chunk, 0, available);
                await _network.WriteAsync(chunk.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var available = _protocol.GetAvailableInputBytes();
                if (available > 0)
                {
                    var length = Math.Min(available, buffer.Length);
                    if (MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
                        return _protocol.ReadInput(segment.Array!, segment.Offset, length);
                    var copy = ArrayPool<byte>.Shared.Rent(length);
                    try
                    {
                        var read = _protocol.ReadInput(copy, 0, length);
                        copy.AsSpan(0, read).CopyTo(buffer.Span);
                        return read;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(copy);
                    }
                }
                if (_protocol.IsClosed) return 0;
            }
            finally
            {
                _gate.Release();
            }
            var received = await _network.ReadAsync(_received, cancellationToken).ConfigureAwait(false);
            if (received == 0) return 0;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _protocol.OfferInput(_received, 0, received);
                await SendAsync(cancellationToken).ConfigureAwait(false); // e.g. the answer to a key update
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (MemoryMarshal.TryGetArray(buffer, out var segment))
                _protocol.WriteApplicationData(segment.Array!, segment.Offset, segment.Count);
            else
                _protocol.WriteApplicationData(buffer.ToArray(), 0, buffer.Length);
            await SendAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _network.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override void Flush() => _network.Flush();

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                if (!_protocol.IsClosed && !_protocol.IsHandshaking && _gate.Wait(TimeSpan.FromSeconds(1)))
                {
                    _protocol.Close(); // close_notify, best effort
                    Send();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or TlsException)
            {
            }
            _network.Dispose();
        }
        base.Dispose(disposing);
    }
}
