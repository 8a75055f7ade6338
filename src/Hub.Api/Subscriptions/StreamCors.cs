using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The app's CORS policy for the stream branch, applied the way the CORS middleware applies it to a
/// non-preflight request, but without the middleware: it resolves its policy provider from the request's
/// services (a DI scope per request) and registers a response callback, both of which a stream kept for its
/// whole life. Preflights (<c>OPTIONS</c>) never take the stream branch; the middleware answers them.
/// </summary>
internal sealed class StreamCors(ICorsService service, CorsPolicy? policy)
{
    public static StreamCors From(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CorsOptions>>().Value;
        return new StreamCors(services.GetRequiredService<ICorsService>(), options.GetPolicy(options.DefaultPolicyName));
    }

    public void Apply(HttpContext context)
    {
        if (policy is null || !context.Request.Headers.ContainsKey(HeaderNames.Origin))
            return;
        service.ApplyResult(service.EvaluatePolicy(context, policy), context.Response);
    }
}
