using System.Net;
using Hub.Api.Http;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// Counts open SSE connections per client IP address, so one client cannot take every file descriptor
/// of a node. A connection holds a slot from before its stream starts until it ends.
/// </summary>
public sealed partial class ClientConnectionLimiter(IOptions<ClientLimitsOptions> options, ILogger<ClientConnectionLimiter> logger)
{
    /// <summary>Seconds a refused client is told to wait; a browser's EventSource stops on a 429 anyway.</summary>
    private const int RetryAfterSeconds = 10;

    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly int _max = options.Value.MaxConnectionsPerClient;

    /// <summary>Open connections from <paramref name="address"/>.</summary>
    public int OpenFrom(IPAddress address)
    {
        lock (_open)
            return _open.GetValueOrDefault(Normalize(address));
    }

    /// <summary>A slot to dispose when the connection ends, or null when the client has too many open.</summary>
    public IDisposable? TryOpen(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_max == 0)
            return NoSlot.Instance;
        var address = Normalize(context.Connection.RemoteIpAddress ?? IPAddress.None);
        lock (_open)
        {
            var count = _open.GetValueOrDefault(address);
            if (count >= _max)
            {
                LogRefused(logger, address, _max);
                return null;
            }
            _open[address] = count + 1;
        }
        return new Slot(this, address);
    }

    /// <summary>The 429 for a client that has too many connections open.</summary>
    public IResult Refuse(HttpContext context) =>
        Problems.TooManyRequests(context, $"This client already has {_max} event streams open, the most one address may hold. Close one (or share one stream over several topics) and retry.", RetryAfterSeconds);

    private void Release(IPAddress address)
    {
        lock (_open)
        {
            var count = _open.GetValueOrDefault(address) - 1;
            if (count <= 0)
                _open.Remove(address);
            else
                _open[address] = count;
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an event stream from {Address}: it already holds {Max} open")]
    private static partial void LogRefused(ILogger logger, IPAddress address, int max);

    private sealed class Slot(ClientConnectionLimiter owner, IPAddress address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Release(address);
        }
    }

    private sealed class NoSlot : IDisposable
    {
        public static readonly NoSlot Instance = new();

        public void Dispose()
        {
        }
    }
}
