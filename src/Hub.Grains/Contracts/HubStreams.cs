namespace Hub.Grains.Contracts;

/// <summary>The names of the Orleans stream provider and namespaces that carry topic events.</summary>
public static class HubStreams
{
    /// <summary>Stream provider name, the same on silos and API nodes.</summary>
    public const string Provider = "hub";

    /// <summary>Stream namespace; the stream key is the topic name.</summary>
    public const string TopicNamespace = "topics";

    /// <summary>Stream namespace of topic channels; the stream key is the topic and the channel (see <see cref="EventDraft.Channels"/>).</summary>
    public const string ChannelNamespace = "channels";

    /// <summary>The stream of one topic.</summary>
    public static StreamId ForTopic(string topic) => StreamId.Create(TopicNamespace, topic);

    /// <summary>The stream of one channel of a topic. A topic name has no space, so the key is unambiguous.</summary>
    public static StreamId ForChannel(string topic, string channel) => StreamId.Create(ChannelNamespace, topic + " " + channel);
}
