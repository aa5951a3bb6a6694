using System.Net.Sockets;

namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// Serializes exchanges on one channel (a TPM runs one command at a time, and a byte stream cannot interleave
/// two), applies the response timeout, and marks the channel broken when an exchange ends half-way: after a
/// cancellation, timeout or I/O error the position in the stream is unknown, so later exchanges refuse to run
/// rather than read someone else's response.
/// </summary>
internal sealed class TransportGate : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly string _endpoint;
    private readonly TimeSpan _timeout;
    private string? _brokenReason;
    private bool _disposed;

    public TransportGate(string endpoint, TimeSpan timeout)
    {
        _endpoint = endpoint;
        _timeout = timeout;
    }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> exchange, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_brokenReason is not null)
                throw new TpmTransportException($"{_endpoint}: transport unusable after an earlier {_brokenReason}; dispose it and open a new one");

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_timeout != Timeout.InfiniteTimeSpan) timeoutSource.CancelAfter(_timeout);
            try
            {
                return await exchange(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _brokenReason = "timeout";
                throw new TpmTransportException($"{_endpoint}: no response within {_timeout.TotalSeconds:0.#} s");
            }
            catch (OperationCanceledException)
            {
                _brokenReason = "cancelled exchange";
                throw;
            }
            catch (TpmTransportException e)
            {
                _brokenReason = "error (" + e.Message + ")";
                throw;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                _brokenReason = "I/O error";
                throw new TpmTransportException($"{_endpoint}: {e.Message}", e);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Marks the gate disposed once no exchange is running; waits for a running one to finish or fail.</summary>
    public async Task CloseAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        _disposed = true;
        _lock.Release();
    }

    public void Dispose() => _lock.Dispose();
}
