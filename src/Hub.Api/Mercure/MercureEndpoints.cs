using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// Wires the Mercure protocol endpoint, <c>/.well-known/mercure</c>: subscriptions (<c>GET</c>) take a
/// branch at the front of the pipeline, as native streams do (a stream that lives for hours should not
/// keep a suspended frame in every middleware); publishing (<c>POST</c>) is an ordinary endpoint with
/// the hub's publish rate limit. With <c>Hub:Mercure:Enabled</c> false neither is mapped: 404.
/// </summary>
public static partial class MercureEndpoints
{
    public const string Path = "/.well-known/mercure";

    public static IServiceCollection AddMercure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddHubOptions<MercureOptions>(configuration, MercureOptions.Section);
        services.AddSingleton<TopicSelectorCache>();
        services.AddSingleton<MercureShards>();
        services.AddSingleton<MercureTokens>();
        services.AddSingleton<MercureSubscribeHandler>();
        services.AddSingleton<MercurePublishHandler>();
        services.AddMercureSubscriptions();
        return services;
    }

    /// <summary>Call beside <c>UseSubscriptionStreams</c>, at the front of the pipeline.</summary>
    public static IApplicationBuilder UseMercureStreams(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ApplicationServices.GetRequiredService<IOptions<MercureOptions>>().Value.Enabled)
            return app;
        var handler = app.ApplicationServices.GetRequiredService<MercureSubscribeHandler>();
        var metrics = app.ApplicationServices.GetRequiredService<HubMetrics>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MercureEndpoints));
        return app.MapWhen(IsSubscribe, stream =>
        {
            stream.UseCors();
            stream.Run(context => ServeAsync(context, handler, metrics, logger));
        });
    }

    public static IEndpointRouteBuilder MapMercureEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IOptions<MercureOptions>>().Value.Enabled)
            return app;
        var publish = app.ServiceProvider.GetRequiredService<MercurePublishHandler>();
        var subscribe = app.ServiceProvider.GetRequiredService<MercureSubscribeHandler>();
        app.MapPost(Path, (Func<HttpContext, Task<IResult>>)publish.PublishAsync).RequirePublishRateLimit(app.ServiceProvider);
        // Reached only without the front branch (UseMercureStreams); it defines the route (other methods: 405).
        app.MapGet(Path, (Func<HttpContext, Task<IResult>>)subscribe.HandleAsync);
        app.MapMercureSubscriptions();
        return app;
    }

    private static bool IsSubscribe(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(Path, StringComparison.Ordinal);

    private static async Task ServeAsync(HttpContext context, MercureSubscribeHandler handler, HubMetrics metrics, ILogger logger)
    {
        IResult result;
        try
        {
            result = await handler.HandleAsync(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnexpected(logger, ex);
            result = TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, detail: "The subscription could not be opened.");
        }
        await result.ExecuteAsync(context);
        RejectionCounting.Count(metrics, context.Response.StatusCode);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Opening a Mercure subscription failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
