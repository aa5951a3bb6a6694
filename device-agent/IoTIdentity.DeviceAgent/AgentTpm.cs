using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Types;
using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// The agent's TPM, lent to one operation at a time (<see cref="LeaseAsync"/>): each lease is one connection, opened for
/// it and closed when it is returned. An operation that needs the TPM again while it holds a lease — the handshake of
/// the authenticated session that a rotation opens — uses the lease it holds, never a second connection: a simulator
/// socket or a raw <c>/dev/tpm0</c> serves one client at a time, and a second connection would wait for the first.
/// </summary>
internal sealed class AgentTpm(string endpoint)
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Whether the TPM serves one client at a time (no resource manager in front of it).</summary>
    public static bool IsSingleClient(TpmTransportEndpoint endpoint) =>
        endpoint.Kind != TpmTransportKind.Tcti && !(endpoint.Kind == TpmTransportKind.Device && endpoint.DevicePath!.Contains("tpmrm", StringComparison.Ordinal));

    /// <summary>Waits for the TPM, opens it and lends it until the lease is disposed.</summary>
    public async Task<Lease> LeaseAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Lease(await OpenAsync(cancellationToken).ConfigureAwait(false), _turn);
        }
        catch
        {
            _turn.Release();
            throw;
        }
    }

    /// <summary>
    /// Opens the TPM. Without a resource manager objects and sessions outlive the connection, so whatever a killed
    /// predecessor left loaded is flushed first — the agent is the TPM's only user.
    /// </summary>
    private async Task<TpmClient> OpenAsync(CancellationToken cancellationToken)
    {
        var parsed = TpmTransportEndpoint.Parse(endpoint);
        var tpm = new TpmClient(await TpmTransports.OpenAsync(parsed, cancellationToken: cancellationToken).ConfigureAwait(false));
        if (!IsSingleClient(parsed)) return tpm;
        try
        {
            foreach (var range in new uint[] { 0x80000000, 0x02000000, 0x03000000 })
            {
                var handles = await tpm.ExecuteAsync(new GetCapability(TpmCap.Handles, range, 64), [], cancellationToken).ConfigureAwait(false);
                foreach (var handle in handles.Data.Values.Where(h => h >> 24 == range >> 24))
                    await tpm.FlushAsync(handle, cancellationToken).ConfigureAwait(false);
            }
            return tpm;
        }
        catch
        {
            await tpm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The TPM connection of one operation; disposing it closes the connection and lets the next operation in.</summary>
    public sealed class Lease(TpmClient tpm, SemaphoreSlim turn) : IAsyncDisposable
    {
        private int _returned;

        /// <summary>The connection.</summary>
        public TpmClient Tpm => tpm;

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _returned, 1) != 0) return;
            try
            {
                await tpm.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                turn.Release();
            }
        }
    }
}
