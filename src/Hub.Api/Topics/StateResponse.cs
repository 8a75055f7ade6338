namespace Hub.Api.Topics;

/// <summary>
/// <c>GET /topics/{topic}/state</c>: the latest event of every key the topic keeps, oldest first, and where
/// the log stood when they were read. <see cref="Id"/> is the single-topic cursor of <see cref="Head"/>:
/// a subscription from it continues exactly after this state.
/// </summary>
public sealed record StateResponse(string Topic, string Epoch, long Head, long Oldest, string Id, IReadOnlyList<HistoryEvent> Events);
