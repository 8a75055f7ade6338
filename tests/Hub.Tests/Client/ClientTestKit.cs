using Hub.Client;
using Hub.Client.Subscribing;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Client;

/// <summary>A <see cref="HubClient"/> over real loopback HTTP to a test hub, through a <see cref="FaultyHandler"/>; and a collector for a subscription.</summary>
public static class ClientTestKit
{
    /// <summary>
    /// A client whose subscriptions give a connection up after <paramref name="silenceTimeout"/> (3 s unless
    /// given) without a byte: ten of the test hub's keep-alive intervals (300 ms).
    /// </summary>
    public static (HubClient Client, FaultyHandler Faults, HttpClient Http) Connect(HubServer server, Func<CancellationToken, ValueTask<string?>>? tokens = null, TimeSpan? silenceTimeout = null)
    {
        var faults = new FaultyHandler();
        var http = new HttpClient(faults) { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };
        var client = new HubClient(http, new HubClientOptions
        {
            TokenProvider = tokens,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromSeconds(1),
            SilenceTimeout = silenceTimeout ?? TimeSpan.FromSeconds(3),
        });
        return (client, faults, http);
    }

    /// <summary>Enumerates <paramref name="subscription"/> in the background into <see cref="Received"/>.</summary>
    public sealed class Collector : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<HubEvent> _received = [];
        private int _disposed;

        public Collector(HubSubscription subscription, Action<HubEvent, int>? onEvent = null)
        {
            Subscription = subscription;
            Run = Task.Run(async () =>
            {
                await foreach (var e in subscription.WithCancellation(_stop.Token))
                {
                    int count;
                    lock (_received)
                    {
                        _received.Add(e);
                        count = _received.Count;
                    }
                    onEvent?.Invoke(e, count);
                }
            });
        }

        public HubSubscription Subscription { get; }

        /// <summary>Ends when the subscription ends: by <see cref="DisposeAsync"/> (cleanly) or by an exception.</summary>
        public Task Run { get; }

        public IReadOnlyList<HubEvent> Received
        {
            get
            {
                lock (_received)
                    return [.. _received];
            }
        }

        public Task WaitForAsync(int count, TimeSpan? timeout = null) =>
            Eventually.TrueAsync(() => Run.IsFaulted || Received.Count >= count, $"{count} events arrived (have {Received.Count}; {Subscription.Connections} connections; {Subscription.State}, last failure: {Subscription.LastFailure ?? "none"}; run {Run.Status}; cursor {Subscription.Cursor}; last id {(Received.Count > 0 ? Received[^1].Id : null)})", timeout ?? TimeSpan.FromSeconds(30))
                .ContinueWith(t => Run.IsFaulted ? Run : t, TaskScheduler.Default).Unwrap();

        /// <summary>Ends the subscription and waits for it; a second call does nothing.</summary>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            await _stop.CancelAsync();
            try
            {
                await Run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception) when (Run.IsFaulted)
            {
                // The test observed (or will observe) the subscription's own failure through Run.
            }
            _stop.Dispose();
        }
    }
}
