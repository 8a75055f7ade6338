namespace Hub.Api.Publishing;

/// <summary>What a publisher gets back: the event's sequence and its single-topic cursor.</summary>
public sealed record PublishResponse(string Topic, long Sequence, string Id);
