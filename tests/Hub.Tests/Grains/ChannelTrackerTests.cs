using Hub.Grains.Contracts;
using Hub.Grains.Topics;
using Xunit;

namespace Hub.Tests.Grains;

/// <summary>What a topic grain tells nodes about its channels: every bound it gives must be an upper bound they can trust.</summary>
public class ChannelTrackerTests
{
    private static TopicEvent Event(long sequence, string epoch = "e1") => new("t", epoch, sequence, "x", "", DateTimeOffset.UnixEpoch);

    private static List<TopicEvent> Events(long from, long to, string epoch = "e1") => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => Event(s, epoch))];

    [Fact]
    public void EachChannelBatch_SaysWhereTheChannelsPreviousEventWas()
    {
        var tracker = new ChannelTracker();
        tracker.Reset("e1", 10);
        var first = tracker.Track(Events(11, 14), [["g:a"], ["g:b"], ["g:a", "g:b"], ["g:b"]])!;
        Assert.Equal([("g:a", 10L, new long[] { 11, 13 }), ("g:b", 10L, new long[] { 12, 13, 14 })],
            first.Select(c => (c.Channel, c.Batch.Previous!.Value, c.Batch.Events.Select(e => e.Sequence).ToArray())).OrderBy(c => c.Channel).ToList(), new ShapeComparer());
        var second = tracker.Track(Events(15, 15), [["g:a"]])!;
        Assert.Equal(13, Assert.Single(second).Batch.Previous);
        Assert.Equal(new ChannelHead("e1", 15, 15), tracker.HeadOf("g:a"));
        Assert.Equal(new ChannelHead("e1", 15, 14), tracker.HeadOf("g:b"));
        Assert.Equal(new ChannelHead("e1", 15, 10), tracker.HeadOf("g:c")); // the group is tracked: nothing of c since the start
        Assert.Equal(new ChannelHead("e1", 15, 15), tracker.HeadOf("other:a")); // a group nobody named: no promise
    }

    [Fact]
    public void AnEventNamingNoChannelOfATrackedGroup_RaisesTheGroupsBound_AndSplitsItsBatches()
    {
        var tracker = new ChannelTracker();
        tracker.Reset("e1", 0);
        var batches = tracker.Track(Events(1, 3), [["g:a"], null, ["g:a"]])!;
        Assert.Equal([(0L, 1L), (2L, 3L)], batches.Select(b => (b.Batch.Previous!.Value, b.Batch.Events.Single().Sequence)));
        Assert.Equal(2, tracker.HeadOf("g:b").Last); // event 2 may have been of b; event 3 names the group, so it is not
    }

    [Fact]
    public void AnAppendItDidNotSee_OrANewEpoch_StartsItOver()
    {
        var tracker = new ChannelTracker();
        tracker.Reset("e1", 0);
        tracker.Track(Events(1, 1), [["g:a"]]);
        // Events 2..4 were appended by someone else (a failed append that was stored after all).
        var after = tracker.Track(Events(5, 5), [["g:a"]])!;
        Assert.Equal(4, Assert.Single(after).Batch.Previous);
        var renewed = tracker.Track(Events(1, 1, "e2"), [["g:a"]])!;
        Assert.Equal(0, Assert.Single(renewed).Batch.Previous);
        Assert.Equal(new ChannelHead("e2", 1, 1), tracker.HeadOf("g:a"));
    }

    private sealed class ShapeComparer : IEqualityComparer<(string, long, long[])>
    {
        public bool Equals((string, long, long[]) x, (string, long, long[]) y) => x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((string, long, long[]) obj) => obj.Item1.GetHashCode(StringComparison.Ordinal);
    }
}
