using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hub.Client.Http;

/// <summary>How the client sorts the hub's answers: retry later, or refused for good.</summary>
internal static class HubResponses
{
    /// <summary>Answers that say "not now": the cluster is failing over, the log is unreachable, or we are rate limited.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    /// <summary>The problem body of a refused request, or one made from the status when the body is not a problem.</summary>
    public static async Task<HubProblemException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HubProblemDetails? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<HubProblemDetails>(cancellationToken);
        }
        catch (JsonException)
        {
            // Not a problem body (a proxy's page): the status is all we know.
        }
        return new HubProblemException(response.StatusCode, problem ?? new HubProblemDetails { Status = (int)response.StatusCode, Title = response.ReasonPhrase });
    }
}
