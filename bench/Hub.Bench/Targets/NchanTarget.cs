using System.Net.Http.Headers;

namespace Hub.Bench.Targets;

/// <summary>
/// nchan as configured by <c>bench/nchan.conf</c>: <c>POST /pub/{topic}</c> with the raw data as body,
/// <c>GET /sub/{topic}</c> as EventSource. nchan registers the subscriber before it answers, so the headers
/// mean "subscribed". Its <c>id:</c> values are its own (time:tag), which is why ordering is checked by the
/// sequence inside the payload for both targets.
/// </summary>
public sealed class NchanTarget(IReadOnlyList<Uri> nodes) : IHubTarget
{
    private static readonly MediaTypeHeaderValue Text = new("text/plain") { CharSet = "utf-8" };

    public string Kind => "nchan";

    public IReadOnlyList<Uri> Nodes => nodes;

    public bool ReadyOnHeaders => true;

    public HttpRequestMessage CreatePublish(Uri node, string topic, string data) =>
        new(HttpMethod.Post, new Uri(node, $"pub/{Uri.EscapeDataString(topic)}")) { Content = new StringContent(data, Text) };

    public Uri SubscribeUri(Uri node, string topic) => new(node, $"sub/{Uri.EscapeDataString(topic)}");
}
