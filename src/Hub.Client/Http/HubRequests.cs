using System.Net.Http.Headers;

namespace Hub.Client.Http;

/// <summary>
/// Sends one logical request until it is answered: the same request again (for a publish, with the same
/// <c>Idempotency-Key</c>) after a transient answer, a connection failure or a timed-out attempt, backing
/// off with jitter and honouring <c>Retry-After</c>. A 4xx is thrown at once as a <see cref="HubProblemException"/>.
/// </summary>
internal sealed class HubRequests(HttpClient http, HubClientOptions options)
{
    public HttpClient Http => http;

    public HubClientOptions Options => options;

    public Uri Resolve(string relative) =>
        options.BaseAddress is { } baseAddress ? new Uri(baseAddress, relative) : new Uri(relative, UriKind.Relative);

    /// <summary>Adds the token provider's current token, asked anew for every request and every reconnect.</summary>
    public async ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.TokenProvider is null)
            return;
        var token = await options.TokenProvider(cancellationToken);
        if (!string.IsNullOrEmpty(token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<T> SendAsync<T>(
        Func<HttpRequestMessage> build, int maxAttempts, TimeSpan attemptTimeout,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options.InitialBackoff, options.MaxBackoff);
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan delay;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(attemptTimeout);
                try
                {
                    using var request = build();
                    await AuthorizeAsync(request, cancellationToken);
                    using var response = await http.SendAsync(request, timeout.Token);
                    if (response.IsSuccessStatusCode)
                        return await read(response, timeout.Token);
                    if (!HubResponses.IsTransient(response.StatusCode) || attempt >= maxAttempts)
                        throw await HubResponses.ProblemAsync(response, cancellationToken);
                    delay = Backoff.AtLeastRetryAfter(backoff.Next(), response.Headers.RetryAfter);
                }
                catch (HttpRequestException) when (attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
                {
                    // No answer (refused, reset, a node gone): safe to send again, the key makes it one publish.
                    delay = backoff.Next();
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    // Our attempt's timeout, not the caller's cancellation.
                    if (attempt >= maxAttempts)
                        throw new TimeoutException($"The hub did not answer within {attemptTimeout} ({attempt} attempts).", e);
                    delay = backoff.Next();
                }
            }
            await Task.Delay(delay, cancellationToken);
        }
    }
}
