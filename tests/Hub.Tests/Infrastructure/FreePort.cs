using System.Net;
using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// Free TCP ports on loopback, handed out once per process so parallel fixtures never collide. They are
/// taken below the kernel's ephemeral range: a port from that range can be taken, between this check and
/// the server's bind, as the local port of any outgoing connection (the tests open thousands), and the
/// server then fails with "address already in use".
/// </summary>
public static class FreePort
{
    private const int Lowest = 20_000;

    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        var below = EphemeralLow();
        while (true)
        {
            var port = Random.Shared.Next(Lowest, below);
            lock (Given)
            {
                if (Given.Contains(port) || !CanBind(port))
                    continue;
                Given.Add(port);
                return port;
            }
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range; else the IANA 49152).</summary>
    private static int EphemeralLow()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (int.TryParse(text[0], out var low) && low > Lowest + 1_000)
                return low;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 49_152;
    }
}
