using System.Net.Sockets;
using MQTTnet.Adapter;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Asks whether an authenticated connection's peer is still there, while a CONNECT with the device's certificate waits
/// for its session (<see cref="SessionRegistry.WaitForReleaseAsync"/>). A device that lost power or rebooted sent no
/// DISCONNECT, and without asking, its old session would hold the id until its MQTT keep-alive ran out (1.5 × the
/// keep-alive it asked for: 90 s for the agent's 60 s), its reconnect refused meanwhile as a clone (<c>second_session</c>).
/// </summary>
/// <remarks>
/// The question is TCP keepalive with a user timeout, both set for the wait: one probe after <see cref="IdleSeconds"/>
/// of idleness, and the connection ends when nothing has been heard <see cref="IntervalSeconds"/> later. A peer whose
/// stack no longer knows the connection (a device that rebooted at the same address) answers the probe with a reset,
/// after about a second; a peer that is gone (another address now, no network) answers nothing, and the connection
/// ends after about four. Data the server sent and the peer never acknowledged is retransmitted instead of probed: a
/// rebooted peer resets the retransmission, and the user timeout (<see cref="UserTimeout"/>) ends a connection whose
/// data has gone unacknowledged that long, at its next retransmission; one on which the server has already waited in
/// vain that long, through backed-off retransmissions or window probes, is ended at once (<see cref="UnansweredFor"/>).
/// Either way the broker releases the session and the waiting CONNECT is admitted. A live peer's stack acknowledges
/// the probe — one up to three seconds away still in time — so its session stays and the CONNECT is refused as before,
/// a clone signal; the probe ends no session whose peer is there and reachable. The socket's own settings come back when the last wait that asked ends. Only a CONNECT
/// that presented the device's own certificate asks: no stranger can make the service question a device's session.
/// </remarks>
internal sealed class LivenessProbe(Socket socket)
{
    internal const int IdleSeconds = 1;
    internal const int IntervalSeconds = 3;
    internal const int Probes = 1;

    /// <summary>How long sent data, or the probe, may go unacknowledged before the connection ends (TCP_USER_TIMEOUT).</summary>
    internal static readonly TimeSpan UserTimeout = TimeSpan.FromSeconds(IdleSeconds + IntervalSeconds);

    private const int SolTcp = 6;
    private const int TcpUserTimeout = 18;   // TCP_USER_TIMEOUT (Linux), milliseconds
    private const int TcpInfo = 11;          // TCP_INFO (Linux): struct tcp_info; tcpi_backoff at byte 4, tcpi_last_ack_recv at 56
    private const int TcpInfoLength = 60;

    private readonly Lock _gate = new();
    private int _asking;
    private Settings? _saved;

    /// <summary>Starts asking (if no one else is); disposing the result stops, restoring the socket's settings after the last.</summary>
    public IDisposable Ask()
    {
        lock (_gate)
        {
            if (_asking++ == 0)
            {
                _saved = Read();
                Apply(new Settings(true, IdleSeconds, IntervalSeconds, Probes, (int)UserTimeout.TotalMilliseconds));
                if (UnansweredFor() >= UserTimeout) End();
            }
        }
        return new Asking(this);
    }

    /// <summary>
    /// How long the peer has left the server waiting in vain (TCP_INFO: a backed-off timer — data retransmitted, or the
    /// window probed, with no answer — and the time since the last acknowledgement); zero when the server awaits nothing
    /// (the timers back off only while unanswered, and an answer resets them), or off Linux. The user timeout ends such a
    /// connection only when its timer next fires, which after a few back-offs can be tens of seconds away (a device
    /// that lost power as a reply went out to it and booted again half a minute later); a peer that has answered nothing
    /// for the user timeout while the server waited is not there, whichever way it went.
    /// </summary>
    private TimeSpan UnansweredFor()
    {
        if (!OperatingSystem.IsLinux()) return TimeSpan.Zero;
        Span<byte> info = stackalloc byte[TcpInfoLength];
        try
        {
            if (socket.GetRawSocketOption(SolTcp, TcpInfo, info) < TcpInfoLength) return TimeSpan.Zero;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return TimeSpan.Zero;
        }
        var backoff = info[4];
        var sinceLastAcknowledgement = BitConverter.ToUInt32(info[56..]);    // milliseconds, in the kernel's byte order
        return backoff > 0 ? TimeSpan.FromMilliseconds(sinceLastAcknowledgement) : TimeSpan.Zero;
    }

    /// <summary>Ends the connection from this side: its reads see the end, and the broker releases the session.</summary>
    private void End()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already ending
        }
    }

    private void Done()
    {
        lock (_gate)
        {
            if (--_asking == 0 && _saved is { } saved) Apply(saved);
        }
    }

    private sealed record Settings(bool On, int IdleSeconds, int IntervalSeconds, int Probes, int UserTimeoutMilliseconds);

    private Settings? Read()
    {
        try
        {
            return new Settings(
                socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive) is int on && on != 0,
                (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!,
                (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!,
                (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!,
                ReadUserTimeout());
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;   // closed already: there is nothing to ask, nor to restore
        }
    }

    private int ReadUserTimeout()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        Span<byte> value = stackalloc byte[sizeof(int)];
        socket.GetRawSocketOption(SolTcp, TcpUserTimeout, value);
        return BitConverter.ToInt32(value);
    }

    private void Apply(Settings settings)
    {
        try
        {
            // the timings first: turning keepalive on arms its timer with the idle time set then
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, settings.IdleSeconds);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, settings.IntervalSeconds);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, settings.Probes);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, settings.On);
            if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(SolTcp, TcpUserTimeout, BitConverter.GetBytes(settings.UserTimeoutMilliseconds));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the connection closed meanwhile: its session is being released, which is what the wait is for
        }
    }

    private sealed class Asking(LivenessProbe probe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) probe.Done();
        }
    }
}

/// <summary>A connection that presented a client certificate: its channel, with the <see cref="LivenessProbe"/> of its socket for the session it may hold.</summary>
internal sealed class ProbedChannelAdapter(IMqttChannelAdapter inner, LivenessProbe liveness) : ForwardingChannelAdapter(inner)
{
    public LivenessProbe Liveness => liveness;
}
