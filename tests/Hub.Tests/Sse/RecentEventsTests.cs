using Hub.Api.Sse;
using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Xunit;

namespace Hub.Tests.Sse;

public class RecentEventsTests
{
    private static TopicEvent Event(long sequence, string epoch = "e1", int size = 1) =>
        new("t", epoch, sequence, "status", new string('x', size), DateTimeOffset.UnixEpoch);

    private static List<long> After(RecentEvents recent, long after, string epoch = "e1")
    {
        var into = new List<FormattedEvent>();
        Assert.True(recent.TryCopyAfter(epoch, after, into));
        return into.Select(f => f.Sequence).ToList();
    }

    [Fact]
    public void Copies_EverythingAfterAPosition_InsideTheWindow()
    {
        var recent = new RecentEvents(capacity: 4, maxBytes: 1_000_000);
        for (var s = 1; s <= 6; s++)
            recent.Add(Event(s));
        Assert.Equal([3, 4, 5, 6], After(recent, 2));
        Assert.Equal([5, 6], After(recent, 4));
        Assert.Empty(After(recent, 6));
        Assert.False(recent.TryCopyAfter("e1", 1, [])); // event 2 is gone: the log must answer
        Assert.False(recent.TryCopyAfter("e1", 7, [])); // ahead of this node
        Assert.False(recent.TryCopyAfter("other", 4, []));
    }

    [Fact]
    public void ByteCap_DropsTheOldest()
    {
        var size = new FormattedEvent(Event(1, size: 10)).Body.Length;
        var recent = new RecentEvents(capacity: 100, maxBytes: 3 * size);
        for (var s = 1; s <= 5; s++)
            recent.Add(Event(s, size: 10));
        Assert.Equal(3, recent.Count);
        Assert.Equal([4, 5], After(recent, 3));
    }

    [Fact]
    public void ANewEpochOrAJump_StartsTheWindowAgain()
    {
        var recent = new RecentEvents(capacity: 10, maxBytes: 1_000_000);
        recent.Add(Event(1));
        recent.Add(Event(2));
        recent.Add(Event(1, epoch: "e2"));
        Assert.Equal(1, recent.Count);
        Assert.False(recent.TryCopyAfter("e1", 1, []));
        recent.Add(Event(5, epoch: "e2")); // not consecutive: the window cannot vouch for 2..4
        Assert.Equal(1, recent.Count);
        Assert.Empty(After(recent, 5, "e2"));
    }

    [Fact]
    public void EventsOlderThanTheLogsAgeLimit_AreNotServed()
    {
        var recent = new RecentEvents(capacity: 10, maxBytes: 1_000_000);
        recent.Add(Event(1));
        recent.Add(Event(2));
        // Event times are the Unix epoch: anything "not before" a later instant is too old.
        Assert.False(recent.TryCopyAfter("e1", 0, [], notBefore: DateTimeOffset.UnixEpoch.AddSeconds(1)));
        Assert.True(recent.TryCopyAfter("e1", 0, [], notBefore: DateTimeOffset.UnixEpoch));
        Assert.True(recent.TryCopyAfter("e1", 2, [], notBefore: DateTimeOffset.MaxValue)); // nothing to send: nothing too old
    }

    [Fact]
    public void AChannelsWindow_ServesItsSparseEvents_AndEveryPositionItVouchesFor()
    {
        var recent = new RecentEvents(capacity: 3, maxBytes: 1_000_000);
        recent.Restart("e1", 10);
        recent.Add(Event(12), previous: 10);
        recent.Advance(14);
        recent.Add(Event(15), previous: 14);
        recent.Advance(20); // the feed learned nothing of its channel lies up to 20
        Assert.Equal([12, 15], After(recent, 10));
        Assert.Equal([15], After(recent, 13));
        Assert.Empty(After(recent, 20));
        Assert.False(recent.TryCopyAfter("e1", 9, [])); // before what it vouches for
        Assert.False(recent.TryCopyAfter("e1", 21, [])); // ahead of this node

        recent.Add(Event(25), previous: 20);
        recent.Add(Event(30), previous: 25); // drops 12: positions up to 12 are no longer served
        Assert.False(recent.TryCopyAfter("e1", 11, []));
        Assert.Equal([15, 25, 30], After(recent, 12));

        recent.Add(Event(40), previous: 35); // the feed could not vouch for 31..35: the window starts again
        Assert.False(recent.TryCopyAfter("e1", 30, []));
        Assert.Equal([40], After(recent, 35));
    }

    [Fact]
    public void ServesTheBytesTheLivePathWrote_AndTheyStayValidAfterTheWindowMovedOn()
    {
        var recent = new RecentEvents(capacity: 4, maxBytes: 1_000_000);
        var live = new List<FormattedEvent>();
        for (var s = 1; s <= 3; s++)
            live.Add(recent.Add(new TopicEvent("t", "e1", s, s == 2 ? "delta" : "message", $"chunk {s}\nnext line", DateTimeOffset.UnixEpoch.AddSeconds(s))));
        for (var k = 0; k < live.Count; k++)
            Assert.Equal(SseFormat.EventBody(k == 1 ? "delta" : "message", $"chunk {k + 1}\nnext line"), live[k].Body.ToArray());

        var served = new List<FormattedEvent>();
        Assert.True(recent.TryCopyAfter("e1", 0, served));
        Assert.Equal(live.Select(f => (f.Epoch, f.Sequence, f.Time, Bytes: f.Body.ToArray())), served.Select(f => (f.Epoch, f.Sequence, f.Time, Bytes: f.Body.ToArray())));
        Assert.All(served, f => Assert.Null(f.Event)); // a topic's window keeps bytes, not the events

        // Thousands of larger events later (every one of the first three long dropped, new arrays taken),
        // a slice a slow writer still holds reads what it read before: slabs are never reused.
        for (var s = 4; s <= 5_000; s++)
            recent.Add(Event(s, size: 500));
        Assert.Equal(SseFormat.EventBody("delta", "chunk 2\nnext line"), served[1].Body.ToArray());
        Assert.Equal(SseFormat.EventBody("message", "chunk 3\nnext line"), live[2].Body.ToArray());
    }

    [Fact]
    public void AWindowThatKeepsEvents_ServesThemWithTheirBytes()
    {
        var recent = new RecentEvents(capacity: 2, maxBytes: 1_000_000, keepEvents: true);
        var events = Enumerable.Range(1, 3).Select(s => Event(s)).ToList();
        foreach (var e in events)
            Assert.Same(e, recent.Add(e).Event);
        var served = new List<FormattedEvent>();
        Assert.True(recent.TryCopyAfter("e1", 1, served));
        Assert.Equal([events[1], events[2]], served.Select(f => f.Event));
    }

    [Fact]
    public void AnEventLargerThanASlabArray_IsHeldWhole()
    {
        var recent = new RecentEvents(capacity: 8, maxBytes: 1_000_000);
        recent.Add(Event(1, size: 10));
        var big = recent.Add(Event(2, size: 200_000));
        recent.Add(Event(3, size: 10));
        var served = new List<FormattedEvent>();
        Assert.True(recent.TryCopyAfter("e1", 1, served));
        Assert.Equal(big.Body.ToArray(), served[0].Body.ToArray());
        Assert.Equal(SseFormat.EventBody("status", new string('x', 200_000)), served[0].Body.ToArray());
        Assert.Equal(3, served[1].Sequence);
    }
}
