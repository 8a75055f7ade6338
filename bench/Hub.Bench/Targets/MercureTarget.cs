using System.Net.Http.Headers;

namespace Hub.Bench.Targets;

/// <summary>
/// Hub's Mercure endpoint: <c>POST /.well-known/mercure</c> with the form Mercure's clients send, and
/// <c>GET /.well-known/mercure?topic=…</c>. Bench topics become URLs, as API Platform's are. The endpoint
/// attaches the subscription before it sends the headers, so a subscriber is ready on headers.
/// </summary>
public sealed class MercureTarget(IReadOnlyList<Uri> nodes) : IHubTarget
{
    private static readonly MediaTypeHeaderValue Form = new("application/x-www-form-urlencoded");

    public string Kind => "mercure";

    public IReadOnlyList<Uri> Nodes => nodes;

    public bool ReadyOnHeaders => true;

    public HttpRequestMessage CreatePublish(Uri node, string topic, string data)
    {
        ArgumentNullException.ThrowIfNull(node);
        var body = $"topic={Uri.EscapeDataString(TopicUrl(topic))}&data={Uri.EscapeDataString(data)}";
        var content = new StringContent(body);
        content.Headers.ContentType = Form;
        return new HttpRequestMessage(HttpMethod.Post, new Uri(node, ".well-known/mercure")) { Content = content };
    }

    public Uri SubscribeUri(Uri node, string topic) => new(node, $".well-known/mercure?topic={Uri.EscapeDataString(TopicUrl(topic))}");

    private static string TopicUrl(string topic) => $"https://bench.example/topics/{topic}";
}
