using System.Collections.Concurrent;
using Hub.Grains.Contracts;
using Hub.Grains.Streams;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Streams;
using Xunit;

namespace Hub.Tests.Streams;

/// <summary>The single-silo stream provider: sends go straight to each subscriber's mailbox, delivered in order off the sender's turn.</summary>
public sealed class LocalStreamProviderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LocalStreamProvider _provider = new("hub", NullLogger<LocalStreamProvider>.Instance);

    [Fact]
    public async Task EachSubscriber_GetsEveryItem_InTheOrderSent()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));
        var first = new Recorder(count: 1_000);
        var second = new Recorder(count: 1_000);
        await stream.SubscribeAsync(first);
        await stream.SubscribeAsync(second);

        // From several threads at once, each sending its own rising run, as a grain's turns may run on any thread.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
                await stream.OnNextAsync(t * 1_000 + i);
        })));

        foreach (var recorder in new[] { first, second })
        {
            var items = await recorder.All.WaitAsync(Timeout);
            Assert.Equal(1_000, items.Count);
            for (var t = 0; t < 4; t++)
                Assert.Equal(Enumerable.Range(t * 1_000, 250), items.Where(i => i / 1_000 == t));
        }
    }

    [Fact]
    public async Task ASend_NeverRunsTheSubscriber_OnTheSendersTurn()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));
        var sender = Environment.CurrentManagedThreadId;
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await stream.SubscribeAsync(new Observer(_ => { ran.TrySetResult(Environment.CurrentManagedThreadId); return Task.CompletedTask; }));
        var entered = new ManualResetEventSlim();
        await stream.SubscribeAsync(new Observer(_ => { entered.Wait(); return Task.CompletedTask; }));

        // The second subscriber blocks its turn: the send still returns at once.
        var send = stream.OnNextAsync(1);

        Assert.True(send.IsCompletedSuccessfully);
        Assert.NotEqual(sender, await ran.Task.WaitAsync(Timeout));
        entered.Set();
    }

    [Fact]
    public async Task ASlowSubscriber_GetsItsItemsAfterItsAwaits_AndDoesNotHoldUpAnother()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new Recorder(count: 3, before: _ => gate.Task);
        var fast = new Recorder(count: 3);
        await stream.SubscribeAsync(slow);
        await stream.SubscribeAsync(fast);

        for (var i = 1; i <= 3; i++)
            await stream.OnNextAsync(i);

        Assert.Equal([1, 2, 3], await fast.All.WaitAsync(Timeout));
        Assert.False(slow.All.IsCompleted);
        gate.SetResult();
        Assert.Equal([1, 2, 3], await slow.All.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ASubscriberThatThrows_StillGetsTheItemsAfter()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));
        var recorder = new Recorder(count: 2, before: i => i == 1 ? throw new InvalidOperationException("boom") : Task.CompletedTask);
        await stream.SubscribeAsync(recorder);

        for (var i = 1; i <= 3; i++)
            await stream.OnNextAsync(i);

        Assert.Equal([2, 3], await recorder.All.WaitAsync(Timeout));
    }

    [Fact]
    public async Task AFullMailbox_DropsTheNewest_UntilTheSubscriberCatchesUp()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentQueue<int>();
        await stream.SubscribeAsync(new Observer(async i =>
        {
            first.TrySetResult();
            await gate.Task;
            received.Enqueue(i);
        }));

        // Item 0 is taken and waits in the subscriber; the mailbox then fills up behind it.
        await stream.OnNextAsync(0);
        await first.Task.WaitAsync(Timeout);
        var sent = LocalStreamProvider.MailboxCapacity + 10;
        for (var i = 1; i <= sent; i++)
            await stream.OnNextAsync(i);
        gate.SetResult();
        await Eventually.TrueAsync(() => received.Count == LocalStreamProvider.MailboxCapacity + 1, "the subscriber caught up");
        await stream.OnNextAsync(-1);
        await Eventually.TrueAsync(() => received.Contains(-1), "a send after catching up arrives");

        Assert.Equal(Enumerable.Range(0, LocalStreamProvider.MailboxCapacity + 1).Append(-1), received);
    }

    [Fact]
    public async Task Unsubscribing_StopsDelivery_AndForgetsTheStream()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));
        var kept = new Recorder(count: 2);
        var left = new Recorder(count: 1);
        var keptHandle = await stream.SubscribeAsync(kept);
        var leftHandle = await stream.SubscribeAsync(left);
        await stream.OnNextAsync(1);
        await left.All.WaitAsync(Timeout);

        await leftHandle.UnsubscribeAsync();
        await stream.OnNextAsync(2);

        Assert.Equal([1, 2], await kept.All.WaitAsync(Timeout));
        Assert.Equal([1], left.Received);
        Assert.Equal([keptHandle], await stream.GetAllSubscriptionHandles());
        await keptHandle.UnsubscribeAsync();
        Assert.Empty(await stream.GetAllSubscriptionHandles());
        Assert.Equal(0, _provider.ActiveStreams);

        // A stream handle kept by a producer reaches a later subscriber all the same.
        var later = new Recorder(count: 1);
        await _provider.GetStream<int>(HubStreams.ForTopic("orders")).SubscribeAsync(later);
        await stream.OnNextAsync(3);
        Assert.Equal([3], await later.All.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Rewinding_IsRefused()
    {
        var stream = _provider.GetStream<int>(HubStreams.ForTopic("orders"));

        Assert.False(_provider.IsRewindable);
        await Assert.ThrowsAsync<NotSupportedException>(() => stream.SubscribeAsync(new Recorder(1), new Orleans.Providers.Streams.Common.EventSequenceTokenV2(1)));
    }

    private sealed class Observer(Func<int, Task> onNext) : IAsyncObserver<int>
    {
        public Task OnNextAsync(int item, StreamSequenceToken? token = null) => onNext(item);

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }

    /// <summary>Records what it receives; <see cref="All"/> completes with the first <c>count</c> items.</summary>
    private sealed class Recorder(int count, Func<int, Task>? before = null) : IAsyncObserver<int>
    {
        private readonly List<int> _received = [];
        private readonly TaskCompletionSource<List<int>> _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<List<int>> All => _all.Task;

        public List<int> Received
        {
            get { lock (_received) return [.. _received]; }
        }

        public async Task OnNextAsync(int item, StreamSequenceToken? token = null)
        {
            if (before is not null)
                await before(item);
            lock (_received)
            {
                _received.Add(item);
                if (_received.Count == count)
                    _all.TrySetResult([.. _received]);
            }
        }

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
