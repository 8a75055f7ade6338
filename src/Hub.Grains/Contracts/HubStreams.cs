namespace Hub.Grains.Contracts;

/// <summary>The names of the Orleans stream provider and namespace that carry topic events.</summary>
public static class HubStreams
{
    /// <summary>Stream provider name, the same on silos and API nodes.</summary>
    public const string Provider = "hub";

    /// <summary>Stream namespace; the stream key is the topic name.</summary>
    public const string TopicNamespace = "topics";

    /// <summary>The stream of one topic.</summary>
    public static StreamId ForTopic(string topic) => StreamId.Create(TopicNamespace, topic);
}
