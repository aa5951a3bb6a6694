namespace IoTIdentity.Tpm.Transport;

/// <summary>Sends one marshalled TPM command and returns the whole response.</summary>
public interface ITpmTransport : IAsyncDisposable
{
    /// <summary>Sends <paramref name="command"/>, returns the response.</summary>
    Task<byte[]> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default);
}
