using System.Collections.Concurrent;
using System.Net;
using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's live connections: which device ids hold an authenticated session (so an unauthenticated CONNECT
/// with the same id is refused, and a second authenticated one is a clone signal), and how many connections each
/// source address holds (IPv6 counted per /64). A connection is registered when its CONNECT is admitted and released
/// when it disconnects; a release only removes the registration it made, so a taken-over connection's late
/// disconnect never frees its successor's.
/// </summary>
internal sealed class SessionRegistry(int maxConnectionsPerAddress)
{
    private readonly ConcurrentDictionary<string, Ticket> _authenticated = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perAddress = new(StringComparer.Ordinal);

    /// <summary>One admitted connection; kept in its session items until it disconnects.</summary>
    internal sealed record Ticket(string ClientId, bool Authenticated, string? AddressKey)
    {
        /// <summary>The tenant of an authenticated session's certificate, when known.</summary>
        public string? TenantId { get; init; }

        /// <summary>The peer address (for session observers).</summary>
        public string? Address { get; init; }

        /// <summary>What asks an authenticated session's connection whether its peer is still there, when a CONNECT with the device's certificate waits for it.</summary>
        public LivenessProbe? Liveness { get; init; }

        /// <summary>Unique per connection.</summary>
        public string SessionId { get; } = Guid.NewGuid().ToString("N");
    }

    public bool HasAuthenticated(string clientId) => _authenticated.ContainsKey(clientId);

    /// <summary>The authenticated session <paramref name="clientId"/> holds, if any.</summary>
    public Ticket? AuthenticatedOf(string clientId) => _authenticated.GetValueOrDefault(clientId);

    /// <summary>
    /// Waits up to <paramref name="grace"/> for <paramref name="clientId"/>'s authenticated session to be released; true
    /// once it is. The broker ends a session asynchronously, so a device that disconnects and at once connects again
    /// would otherwise meet its own closing session (refused, and as a clone signal when it presents its certificate).
    /// With <paramref name="askLiveness"/> (a CONNECT with the device's certificate: a device that rebooted without a
    /// DISCONNECT meets its dead session), the session's connection is asked meanwhile whether its peer is still there
    /// (<see cref="LivenessProbe"/>), which ends it if not.
    /// </summary>
    public async Task<bool> WaitForReleaseAsync(string clientId, TimeSpan grace, bool askLiveness = false)
    {
        if (!_authenticated.TryGetValue(clientId, out var held)) return true;
        using var asking = askLiveness ? held.Liveness?.Ask() : null;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (HasAuthenticated(clientId))
        {
            if (waited.Elapsed >= grace) return false;
            await Task.Delay(ReleasePoll).ConfigureAwait(false);
        }
        return true;
    }

    private static readonly TimeSpan ReleasePoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Counts a connection from <paramref name="addressKey"/>; false when the address is at its cap.</summary>
    public bool TryReserveAddress(string? addressKey)
    {
        if (addressKey is null) return true;
        lock (_perAddress)
        {
            var count = _perAddress.GetValueOrDefault(addressKey);
            if (count >= maxConnectionsPerAddress) return false;
            _perAddress[addressKey] = count + 1;
            return true;
        }
    }

    /// <summary>Registers an authenticated session; false when the device already holds one.</summary>
    public bool TryAddAuthenticated(Ticket ticket) => _authenticated.TryAdd(ticket.ClientId, ticket);

    public void Release(Ticket ticket)
    {
        if (ticket.Authenticated) _authenticated.TryRemove(new KeyValuePair<string, Ticket>(ticket.ClientId, ticket));
        ReleaseAddress(ticket.AddressKey);
    }

    public void ReleaseAddress(string? addressKey)
    {
        if (addressKey is null) return;
        lock (_perAddress)
        {
            if (!_perAddress.TryGetValue(addressKey, out var count)) return;
            if (count <= 1) _perAddress.Remove(addressKey);
            else _perAddress[addressKey] = count - 1;
        }
    }

    /// <summary>The key connections are counted under: the sender's source (<see cref="SourceAddresses"/>: IPv4 address, IPv6 /64).</summary>
    public static string? AddressKey(EndPoint? endPoint) => SourceAddresses.Of(endPoint);
}
