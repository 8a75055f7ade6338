using Hub.Api.Subscriptions;

namespace Hub.Api.Topics;

/// <summary>
/// A page of history. <see cref="Reset"/> is set when <c>after</c> lay before the retained history, so
/// the page starts at the oldest retained event instead of silently skipping.
/// </summary>
public sealed record HistoryResponse(string Topic, string Epoch, long Head, long Oldest, IReadOnlyList<HistoryEvent> Events, ResetData? Reset);

/// <summary>One event of a history page; <see cref="Id"/> is its single-topic cursor.</summary>
public sealed record HistoryEvent(long Sequence, string Id, string Type, string Data, DateTimeOffset Time);
