using System.Net;
using System.Net.Sockets;

namespace Hub.Api.Security;

/// <summary>
/// The address per-client limits count by. IPv4 (also IPv4-mapped IPv6) is one address; IPv6 is its /64
/// network, because one subscriber line or host is routinely given a whole /64 and picks any address in it
/// (RFC 8981 temporary addresses rotate by themselves), so counting single IPv6 addresses would let one
/// client take 2^64 slots. Behind a trusted proxy this is the forwarded client address (see
/// <see cref="ProxyOptions"/>), as the forwarded-headers middleware has set it.
/// </summary>
public static class ClientAddress
{
    /// <summary>The limit key of the request's client.</summary>
    public static IPAddress Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Group(context.Connection.RemoteIpAddress ?? IPAddress.None);
    }

    /// <summary><paramref name="address"/> as limits count it: IPv4 as is, IPv6 with its last 64 bits zeroed.</summary>
    public static IPAddress Group(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
