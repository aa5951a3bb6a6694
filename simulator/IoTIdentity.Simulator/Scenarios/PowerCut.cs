using System.Globalization;
using System.Runtime.InteropServices;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// What a power cut does to a device's connection: nothing more leaves the device — no DISCONNECT, no FIN, no reset.
/// The simulator's devices are connections of its own process, so it puts each of its TCP connections to the broker's
/// port into TCP repair mode (<c>TCP_REPAIR</c>) with its send queue selected (<c>TCP_REPAIR_QUEUE</c> =
/// <c>TCP_SEND_QUEUE</c>), in which the kernel transmits nothing: what the device's client still writes (a DISCONNECT),
/// the FIN of the shutdown .NET does before it closes a socket, and the close itself stay on the device. The service's next packet on such a connection meets a stack that no longer knows it and is reset, as it
/// would be by a device that rebooted. Needs CAP_NET_ADMIN (root, and in a container the capability itself).
/// </summary>
public static class PowerCut
{
    private const int SolTcp = 6;
    private const int TcpRepair = 19;
    private const int TcpRepairQueue = 20;
    private const int TcpSendQueue = 2;

    private const int CapNetAdmin = 12;   // linux/capability.h
    private const int PermissionDenied = 1, AccessDenied = 13;   // EPERM, EACCES

    private const string NeedsNetAdmin = "a power cut needs CAP_NET_ADMIN to put the devices' connections in TCP repair mode, in which nothing leaves them: "
        + "run iotid-sim as root, and in a container with that capability (docker run --cap-add NET_ADMIN)";

    /// <summary>
    /// Why the scenario cannot run here, or null when it can: it needs Linux and CAP_NET_ADMIN in this process's effective
    /// set — not merely user id 0, which a container runs as without it.
    /// </summary>
    public static string? Unavailable() =>
        !OperatingSystem.IsLinux() ? "a power cut needs Linux (TCP repair mode)"
        : !HasEffectiveCapability(File.ReadAllText("/proc/self/status"), CapNetAdmin) ? NeedsNetAdmin
        : null;

    /// <summary>Whether the <c>CapEff</c> line of a <c>/proc/{pid}/status</c> text has capability <paramref name="capability"/> set.</summary>
    public static bool HasEffectiveCapability(string status, int capability)
    {
        foreach (var line in status.Split('\n'))
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var set) && (set >> capability & 1) == 1;
        return false;
    }

    /// <summary>
    /// Puts every established TCP connection of this process to remote port <paramref name="brokerPort"/> into repair
    /// mode (<see cref="TcpConnections"/>); returns how many. The service's own listening side, in process or not, has the
    /// broker port as its local port and is left alone.
    /// </summary>
    public static int Silence(int brokerPort)
    {
        if (Unavailable() is { } why) throw new InvalidOperationException(why);
        var silenced = 0;
        foreach (var connection in TcpConnections.To(Environment.ProcessId, brokerPort))
        {
            // straight to the descriptor: a Socket made over it would, when disposed, shut the connection down (a FIN)
            var (on, sendQueue) = (1, TcpSendQueue);
            if (SetSocketOption(connection.Descriptor, SolTcp, TcpRepair, ref on, sizeof(int)) == 0
                && SetSocketOption(connection.Descriptor, SolTcp, TcpRepairQueue, ref sendQueue, sizeof(int)) == 0) silenced++;
            // not allowed after all: the devices would say goodbye, which is no power cut
            else if (Marshal.GetLastPInvokeError() is PermissionDenied or AccessDenied) throw new InvalidOperationException(NeedsNetAdmin);
            // else closed meanwhile (EBADF, ENOTSOCK): nothing of it can leave any more either
        }
        return silenced;
    }

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSocketOption(int descriptor, int level, int option, ref int value, uint length);
}
