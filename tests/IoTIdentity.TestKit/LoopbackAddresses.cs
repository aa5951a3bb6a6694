using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace IoTIdentity.TestKit;

/// <summary>
/// IPv6 addresses added to <c>lo</c> for one test (<c>ip -6 addr add … dev lo nodad</c>) and removed when it is disposed:
/// real sources a test can connect from. They lie in a unique local prefix (RFC 4193, <c>fd00::/8</c>) with a random global
/// id, so concurrent runs on one machine never share an address. Needs root (<see cref="RootPrivileges"/>).
/// </summary>
public sealed class LoopbackAddresses : IDisposable
{
    private readonly List<IPAddress> _added = [];
    private readonly byte[] _globalId = RandomNumberGenerator.GetBytes(5);

    private LoopbackAddresses()
    {
    }

    /// <summary>Adds nothing yet; <see cref="Add"/> adds addresses under this instance's random /48.</summary>
    public static LoopbackAddresses Create(string forWhat)
    {
        RootPrivileges.Require(forWhat);
        return new LoopbackAddresses();
    }

    /// <summary>Adds <c>fdXX:XXXX:XXXX:{subnet}::{host}</c> to <c>lo</c> and returns it.</summary>
    public IPAddress Add(ushort subnet, ushort host)
    {
        var bytes = new byte[16];
        bytes[0] = 0xfd;
        _globalId.CopyTo(bytes, 1);
        (bytes[6], bytes[7]) = ((byte)(subnet >> 8), (byte)subnet);
        (bytes[14], bytes[15]) = ((byte)(host >> 8), (byte)host);
        var address = new IPAddress(bytes);
        Ip("add", address);
        _added.Add(address);
        return address;
    }

    public void Dispose()
    {
        foreach (var address in _added) Ip("del", address);
        _added.Clear();
    }

    private static void Ip(string verb, IPAddress address)
    {
        string[] arguments = verb == "add" ? ["-6", "addr", "add", $"{address}/128", "dev", "lo", "nodad"] : ["-6", "addr", "del", $"{address}/128", "dev", "lo"];
        using var ip = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("ip (iproute2) could not be started: apt-get install iproute2");
        var error = ip.StandardError.ReadToEnd();
        ip.WaitForExit();
        if (ip.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({ip.ExitCode}): {error.Trim()}");
    }
}
