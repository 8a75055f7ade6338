using Hub.Api.Browser;
using Hub.Api.Health;
using Hub.Api.Http;
using Hub.Api.Publishing;
using Hub.Api.Sse;
using Hub.Api.Subscriptions;
using Hub.Api.Testing;
using Hub.Api.Topics;
using Hub.Grains.Hosting;
using Hub.Grains.Publishing;

namespace Hub.Api.Hosting;

/// <summary>Wires the API node: its Orleans role, its services and its endpoints.</summary>
public static class HubApplication
{
    public static WebApplicationBuilder AddHub(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddHubCluster();

        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddHubOptions<SseOptions>(configuration, SseOptions.Section);
        services.AddHubOptions<SubscriptionOptions>(configuration, SubscriptionOptions.Section);
        services.AddHubOptions<PublishOptions>(configuration, PublishOptions.Section);
        services.AddHubOptions<TestingOptions>(configuration, TestingOptions.Section);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HubJsonContext.Default));
        services.AddSingleton<SubscriptionHandler>();
        services.AddSingleton<HistoryHandler>();
        services.AddSingleton<TopicFeeds>();
        services.AddSingleton<SseConnections>();
        services.AddSingleton<FeedWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedWatchdog>());
        services.AddHostedService<SseHeartbeat>();
        services.AddHubHealthChecks();
        return builder;
    }

    public static WebApplication UseHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // GET / is the demo page (index.html) and GET /hub-client.js the browser client module.
        var assets = BrowserAssets.FileProvider(app.Environment);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = assets });
        app.UseStaticFiles(BrowserAssets.StaticFileOptions(assets));
        app.MapPublishEndpoints();
        app.MapSubscribeEndpoints();
        app.MapTopicEndpoints();
        app.MapHubHealthChecks();
        app.MapTestingEndpoints();
        return app;
    }
}
