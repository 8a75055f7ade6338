using Hub.Grains.Contracts;

namespace Hub.Grains.Topics;

/// <summary>
/// A topic grain's memory of its channels (<see cref="EventDraft.Channels"/>): the sequence of each
/// channel's newest event, so every batch it sends on a channel's stream says where the channel's
/// previous event was (<see cref="EventBatch.Previous"/>) and a node can ask where a channel stands
/// (<see cref="ChannelHead"/>). Every figure it gives is an upper bound a node may trust: "the channel's
/// last event is at or before this".
/// <para>
/// It vouches only for what it saw. A new activation, or an append it did not see (one that failed but
/// may have been stored), starts it over at that point: the channel's previous event is "at or before
/// here", and a node behind that reads the gap from the log once. A group (<see cref="EventRules.ChannelGroup"/>)
/// is tracked from the first event that names one of its channels; a channel of a group it does not
/// track may have had anything up to the head; an event that names no channel of a tracked group (a
/// publisher that does not know the group) may belong to any of them, so it raises the whole group's
/// bound to itself. Bounded: past <see cref="MaxChannels"/> it starts over. Not thread-safe: the
/// grain calls it from its own turns only.
/// </para>
/// </summary>
public sealed class ChannelTracker
{
    public const int MaxChannels = 4_096;

    private readonly Dictionary<string, long> _groupFloors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);
    private string _epoch = "";
    private long _through;

    /// <summary>Forgets every channel: from here on it vouches only for what follows <paramref name="head"/>.</summary>
    public void Reset(string epoch, long head)
    {
        _epoch = epoch;
        _through = head;
        _groupFloors.Clear();
        _last.Clear();
    }

    public ChannelHead HeadOf(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (!_groupFloors.TryGetValue(EventRules.ChannelGroup(channel), out var floor))
            return new ChannelHead(_epoch, _through, _through);
        return new ChannelHead(_epoch, _through, Math.Max(floor, _last.GetValueOrDefault(channel)));
    }

    /// <summary>
    /// Takes one append's <paramref name="events"/>, with the channels each names
    /// (<paramref name="channelsOf"/>, aligned with the events), and returns what goes on each channel's
    /// stream, in order per channel; null when no event names a channel.
    /// </summary>
    public List<(string Channel, EventBatch Batch)>? Track(IReadOnlyList<TopicEvent> events, IReadOnlyList<IReadOnlyList<string>?> channelsOf)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(channelsOf);
        if (events.Count == 0)
            return null;
        Dictionary<string, (long Previous, List<TopicEvent> Events)>? open = null;
        List<(string Channel, EventBatch Batch)>? done = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Epoch != _epoch || e.Sequence != _through + 1 || _last.Count >= MaxChannels)
                Reset(e.Epoch, e.Sequence - 1);
            var channels = channelsOf[i];
            if (_groupFloors.Count > 0)
                RaiseGroupsNotNamed(e.Sequence, channels);
            foreach (var channel in channels ?? [])
            {
                if (_last.TryGetValue(channel, out var last) && last == e.Sequence)
                    continue; // named twice
                var group = EventRules.ChannelGroup(channel);
                if (!_groupFloors.TryGetValue(group, out var floor))
                    _groupFloors[group] = floor = e.Sequence - 1;
                var previous = Math.Max(floor, last);
                open ??= new(StringComparer.Ordinal);
                if (open.TryGetValue(channel, out var pending) && pending.Events[^1].Sequence != previous)
                {
                    // The bound moved between two of its events: the node must check what lies between.
                    (done ??= []).Add((channel, new EventBatch(pending.Events, pending.Previous)));
                    open.Remove(channel);
                }
                if (!open.TryGetValue(channel, out pending))
                    open[channel] = pending = (previous, []);
                pending.Events.Add(e);
                _last[channel] = e.Sequence;
            }
            _through = e.Sequence;
        }
        if (open is null)
            return done;
        done ??= new List<(string, EventBatch)>(open.Count);
        foreach (var (channel, pending) in open)
            done.Add((channel, new EventBatch(pending.Events, pending.Previous)));
        return done;
    }

    /// <summary>An event that names no channel of a tracked group may be in any of them: the group's bound rises to it.</summary>
    private void RaiseGroupsNotNamed(long sequence, IReadOnlyList<string>? channels)
    {
        List<string>? raise = null;
        foreach (var group in _groupFloors.Keys)
        {
            if (!Names(channels, group))
                (raise ??= []).Add(group);
        }
        foreach (var group in raise ?? [])
            _groupFloors[group] = sequence;
    }

    private static bool Names(IReadOnlyList<string>? channels, string group)
    {
        foreach (var channel in channels ?? [])
        {
            if (channel.StartsWith(group, StringComparison.Ordinal) && (channel.Length == group.Length || channel[group.Length] == ':'))
                return true;
        }
        return false;
    }
}
