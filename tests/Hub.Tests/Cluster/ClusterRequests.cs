using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>Publishes to a cluster's API node as a publisher with a token would, optionally with an Idempotency-Key.</summary>
public static class ClusterRequests
{
    /// <summary>One publish of <c>{"type":"status","data":…}</c> (with <c>"key"</c> when <paramref name="eventKey"/> is given); the caller disposes the response.</summary>
    public static Task<HttpResponseMessage> PublishAsync(HubCluster cluster, string topic, string data, string token, string? idempotencyKey = null, int api = 0, string? eventKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.Api(api).Address, $"topics/{topic}/events"))
        {
            Content = eventKey is null ? JsonContent.Create(new { type = "status", data }) : JsonContent.Create(new { type = "status", data, key = eventKey }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return cluster.Http.SendAsync(request, cancellationToken);
    }

    /// <summary>Publishes until the answer is 201, accepting only 503s (a failover, a grain noticing a change) on the way.</summary>
    public static async Task<(string Body, HttpResponseMessage Response)> PublishUntilCreatedAsync(HubCluster cluster, string topic, string data, string token, string? idempotencyKey, TimeSpan timeout, string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var response = await PublishAsync(cluster, topic, data, token, idempotencyKey, cancellationToken: cts.Token, eventKey: eventKey);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            if (response.StatusCode == HttpStatusCode.Created)
                return (body, response);
            response.Dispose();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
            // Polling a cluster that is failing over: there is nothing to await but its answer.
            await Task.Delay(100, cts.Token);
        }
    }

    /// <summary>The data of the topic's retained events (at most 1,000), oldest first, read from API node 0's history endpoint.</summary>
    public static async Task<IReadOnlyList<string>> HistoryAsync(HubCluster cluster, string topic)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Api(0).Address, $"topics/{topic}/events?after=0&limit=1000"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await cluster.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetString()!)];
    }
}
