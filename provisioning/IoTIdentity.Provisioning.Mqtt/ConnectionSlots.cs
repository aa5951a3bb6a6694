using System.Net.Sockets;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The places a set of listeners' connections hold together under one cap (the MQTT endpoint's listeners, or every
/// HTTP listener): a place is taken as a connection is accepted and given back when its socket is closed, so the count
/// is of descriptors held, not of sessions served. A connection that finds no place is reset at once
/// (<see cref="ResetOnClose"/>), before any work is spent on it.
/// </summary>
/// <param name="cap">The most places; null: no cap (every take succeeds).</param>
public sealed class ConnectionSlots(int? cap)
{
    private int _held;

    /// <summary>The most connections held at once; null: no cap.</summary>
    public int? Cap => cap;

    /// <summary>Connections accepted and not yet closed.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Takes a place for a connection just accepted; false when every place is held (nothing is taken then).</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _held) <= (cap ?? int.MaxValue)) return true;
        Interlocked.Decrement(ref _held);
        return false;
    }

    /// <summary>Gives back the place of a connection whose socket is closed; once per successful <see cref="TryTake"/>.</summary>
    public void Release() => Interlocked.Decrement(ref _held);

    /// <summary>
    /// Makes closing <paramref name="socket"/> a reset, not an orderly close: the client learns at once, and nothing
    /// lingers in the kernel. A peer that reset first (or a socket already closed) leaves closing as all there is to do.
    /// </summary>
    public static void ResetOnClose(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already reset by the peer, or closed: closing is all that is left
        }
    }
}
