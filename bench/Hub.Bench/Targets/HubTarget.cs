using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hub.Bench.Targets;

/// <summary>
/// Hub: <c>POST /topics/{topic}/events</c> with <c>{"type","data"}</c>, <c>GET /topics/{topic}/events</c>.
/// Hub flushes the headers before it attaches the connection to the live feed, then sends an id-only
/// block; that first <c>id:</c> is the moment from which no event is missed.
/// </summary>
public sealed class HubTarget(IReadOnlyList<Uri> nodes) : IHubTarget
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public string Kind => "hub";

    public IReadOnlyList<Uri> Nodes => nodes;

    public bool ReadyOnHeaders => false;

    public HttpRequestMessage CreatePublish(Uri node, string topic, string data)
    {
        ArgumentNullException.ThrowIfNull(node);
        var body = new StringBuilder(data.Length + 32).Append("{\"type\":\"bench\",\"data\":").Append(JsonSerializer.Serialize(data)).Append('}').ToString();
        return new HttpRequestMessage(HttpMethod.Post, new Uri(node, $"topics/{Uri.EscapeDataString(topic)}/events"))
        {
            Content = new StringContent(body, Json),
        };
    }

    public Uri SubscribeUri(Uri node, string topic) => new(node, $"topics/{Uri.EscapeDataString(topic)}/events");
}
