using System.Text;
using Hub.Api.Subscriptions;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Http;

/// <summary>
/// What a draining node answers a new subscription that reaches it before Kestrel stops taking connections
/// (the same <see cref="ConnectionDrainer.TurnAwayAsync"/> serves native and Mercure streams). The whole
/// path through a real nginx and two draining nodes is in <c>LoadBalancerTests</c>.
/// </summary>
public sealed class DrainingSubscribeTests
{
    [Fact]
    public async Task DrainingNode_AnswersABrowser_With200AndOnlyARetry_NeverA503()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Sse:RetryMilliseconds"] = "1000" });
        var (status, headers, body) = await TurnAwayAsync(server, balancer: null);

        Assert.Equal(StatusCodes.Status200OK, status);
        // Only a jittered retry: no event, no id; EventSource opens, sees the stream end, and comes back later.
        Assert.Matches(@"^retry: (\d+)\n\n$", body);
        Assert.InRange(int.Parse(body[7..^2], System.Globalization.CultureInfo.InvariantCulture), 500, 1500);
        Assert.False(headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task DrainingNode_AnswersTheDeployedBalancer_With503AndRetryAfter_SoItTriesAnotherNode()
    {
        await using var server = await HubServer.StartAsync();
        var (status, headers, body) = await TurnAwayAsync(server, balancer: "retry");

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("1", headers.RetryAfter.ToString());
        Assert.Contains("draining", body, StringComparison.Ordinal);
        // Any other value is not the deployed balancer's promise to retry: the browser answer stands.
        Assert.Equal(StatusCodes.Status200OK, (await TurnAwayAsync(server, balancer: "yes")).Status);
    }

    private static async Task<(int Status, IHeaderDictionary Headers, string Body)> TurnAwayAsync(HubServer server, string? balancer)
    {
        var context = new DefaultHttpContext { RequestServices = server.Services };
        context.Request.Method = "GET";
        context.Request.Path = "/topics/t/events";
        if (balancer is not null)
            context.Request.Headers[ConnectionDrainer.BalancerHeader] = balancer;
        using var body = new MemoryStream();
        context.Response.Body = body;
        await server.Services.GetRequiredService<ConnectionDrainer>().TurnAwayAsync(context);
        await context.Response.BodyWriter.FlushAsync();
        return (context.Response.StatusCode, context.Response.Headers, Encoding.UTF8.GetString(body.ToArray()));
    }
}
