using System.Net;
using Hub.Api.Http;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// Counts what a client holds open per address (<see cref="ClientAddress"/>: IPv4, or an IPv6 /64): SSE
/// streams and long-polls alike, so one client cannot take every file descriptor of a node or start a
/// node feed per held request. A request holds a slot from before its stream or wait starts until it ends.
/// <para>
/// Hand-written rather than a <c>PartitionedRateLimiter</c> with a concurrency limiter per address: this
/// is on the path of every SSE stream, which is measured for idle memory; here an open stream costs one
/// small slot object and a dictionary count per address, and nothing is queued, timed or cleaned up by
/// a timer.
/// </para>
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
            return _open.GetValueOrDefault(ClientAddress.Group(address));
    }

    /// <summary>A slot to dispose when the connection ends, or null when the client has too many open.</summary>
    public IDisposable? TryOpen(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_max == 0)
            return NoSlot.Instance;
        var address = ClientAddress.Of(context);
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
        Problems.TooManyRequests(context, $"This client already has {_max} event streams and long-polls open, the most one address may hold. Close one (or share one stream over several topics) and retry.", RetryAfterSeconds);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an event stream or long-poll from {Address}: it already holds {Max} open")]
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
