using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Protocol;

/// <summary>
/// Who a sender is when the service counts senders: an IPv4 address (an IPv4-mapped IPv6 address is that IPv4
/// address), or the /64 an IPv6 address lies in, written <c>{prefix}::/64</c> — one subscriber's network, any address of
/// which a single host may use. This is the one rule for every per-source limit and aggregate: connections per address,
/// request rate per address, audit refusals per source.
/// </summary>
public static class SourceAddresses
{
    /// <summary>The source <paramref name="address"/> is counted under.</summary>
    public static string Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>The source of an endpoint: its address's, or the endpoint as text when it is not an IP endpoint.</summary>
    public static string? Of(EndPoint? endPoint) => endPoint is IPEndPoint ip ? Of(ip.Address) : endPoint?.ToString();

    /// <summary>The source of an address as text (any spelling); text that is not an IP address is its own source.</summary>
    public static string Of(string address) => IPAddress.TryParse(address, out var parsed) ? Of(parsed) : address;
}
