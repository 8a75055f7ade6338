namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// The answer to a streamed publish that ran to its end: how many events it stored and where the first
/// and last one are (sequences and single-topic cursors; null when it stored none).
/// </summary>
public sealed record StreamPublishResponse(string Topic, long Count, long? FirstSequence, long? LastSequence, string? FirstId, string? LastId);
