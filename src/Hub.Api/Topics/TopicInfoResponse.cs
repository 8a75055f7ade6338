namespace Hub.Api.Topics;

/// <summary><c>GET /topics/{topic}</c>: where the topic's log stands.</summary>
public sealed record TopicInfoResponse(string Topic, string Epoch, long Head, long Oldest);
