using Hub.Api.Cursors;
using Hub.Api.Subscriptions;

namespace Hub.Api.Topics;

/// <summary>
/// A page of history. <see cref="Reset"/> is set when <c>after</c> lay before the retained history, so
/// the page starts at the oldest retained event instead of silently skipping.
/// </summary>
public sealed record HistoryResponse(string Topic, string Epoch, long Head, long Oldest, IReadOnlyList<HistoryEvent> Events, ResetData? Reset);

/// <summary>One event of a history page or a state; <see cref="Id"/> is its single-topic cursor, <see cref="Key"/> its event key (left out when none).</summary>
public sealed record HistoryEvent(
    long Sequence,
    string Id,
    string Type,
    string Data,
    DateTimeOffset Time,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Key = null)
{
    /// <summary>The event as a single-topic client sees it.</summary>
    public static HistoryEvent Of(TopicSet set, Hub.Grains.Contracts.TopicEvent e) =>
        new(e.Sequence, Cursor.Encode(set, [new TopicPosition(e.Epoch, e.Sequence)]), e.Type, e.Data, e.Time, e.Key);
}
