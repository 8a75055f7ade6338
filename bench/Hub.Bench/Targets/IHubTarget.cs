namespace Hub.Bench.Targets;

/// <summary>
/// How to publish to and subscribe on one kind of SSE hub. Everything else (payload, ordering checks,
/// latency) is shared, so both kinds are measured by the same code.
/// </summary>
public interface IHubTarget
{
    /// <summary>"hub" or "nchan".</summary>
    string Kind { get; }

    /// <summary>The base URLs of the nodes; subscribers and publishers are spread over them round-robin.</summary>
    IReadOnlyList<Uri> Nodes { get; }

    /// <summary>A request that publishes <paramref name="data"/> as one event on <paramref name="topic"/>.</summary>
    HttpRequestMessage CreatePublish(Uri node, string topic, string data);

    Uri SubscribeUri(Uri node, string topic);

    /// <summary>
    /// True when a subscriber receives every later event as soon as the response headers arrive. False when
    /// the hub attaches the subscription after the headers and signals it with a first <c>id:</c> line.
    /// </summary>
    bool ReadyOnHeaders { get; }
}
