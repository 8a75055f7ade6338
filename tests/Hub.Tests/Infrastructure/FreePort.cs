using System.Net;
using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>Free TCP ports on loopback, handed out once per process so parallel fixtures never collide.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                    return port;
            }
        }
    }
}
