using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Which addresses the service may fetch from on a tenant's behalf: public unicast only. Refused: unspecified,
/// loopback, private (RFC 1918, IPv6 unique local), link-local (which holds cloud metadata endpoints), shared (carrier-grade
/// NAT), benchmarking, reserved, broadcast and multicast ranges — and the same inside IPv4-mapped, NAT64 and 6to4 addresses.
/// </summary>
public static class PublicAddresses
{
    private static readonly IPNetwork[] RefusedV4 = [.. new[]
    {
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    }.Select(IPNetwork.Parse)];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork RefusedV6 = IPNetwork.Parse("::/8");
    private static readonly IPNetwork DocumentationV6 = IPNetwork.Parse("2001:db8::/32");

    /// <summary>Whether <paramref name="address"/> is a public unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return !RefusedV4.Any(n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
            return false;
        var bytes = address.GetAddressBytes();
        // NAT64 and 6to4 addresses carry an IPv4 address: judge that one
        if (Nat64.Contains(address)) return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        if (SixToFour.Contains(address)) return IsPublic(new IPAddress(bytes.AsSpan(2, 4)));
        // the rest of ::/8 (IPv4-compatible and unspecified forms) and the documentation prefix
        return !RefusedV6.Contains(address) && !DocumentationV6.Contains(address);
    }
}
