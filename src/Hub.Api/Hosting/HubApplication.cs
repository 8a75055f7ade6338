using Hub.Api.Diagnostics;
using Hub.Api.Browser;
using Hub.Api.Demo;
using Hub.Api.Health;
using Hub.Api.Http;
using Hub.Api.Mercure;
using Hub.Api.Publishing;
using Hub.Api.Publishing.Streaming;
using Hub.Api.Security;
using Hub.Api.Sse;
using Hub.Api.Subscriptions;
using Hub.Api.Testing;
using Hub.Api.Topics;
using Hub.Grains.EventLog;
using Hub.Grains.Hosting;
using Hub.Grains.Publishing;
using Microsoft.AspNetCore.Http.Metadata;
using Orleans.Dashboard;

namespace Hub.Api.Hosting;

/// <summary>Wires the API node: its Orleans role, its services and its endpoints.</summary>
public static class HubApplication
{
    public static WebApplicationBuilder AddHub(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddHubCluster();
        builder.AddHubObservability(HubMetrics.MeterName);
        builder.AddHubManagementListener();

        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddHubOptions<SseOptions>(configuration, SseOptions.Section);
        services.AddHubOptions<SubscriptionOptions>(configuration, SubscriptionOptions.Section);
        services.AddHubOptions<DrainOptions>(configuration, DrainOptions.Section);
        services.AddHubOptions<PublishOptions>(configuration, PublishOptions.Section);
        services.AddHubOptions<StreamingPublishOptions>(configuration, StreamingPublishOptions.Section);
        services.AddSingleton<StreamPublishHandler>();
        services.AddHubOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        services.AddHubOptions<TestingOptions>(configuration, TestingOptions.Section);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HubJsonContext.Default));
        services.AddSingleton<SubscriptionHandler>();
        services.AddSingleton<HistoryHandler>();
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<TopicFeeds>();
        services.AddSingleton<SseConnections>();
        services.AddSingleton<FeedWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedWatchdog>());
        services.AddSingleton<ConnectionDrainer>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionDrainer>());
        services.AddHostedService<SseHeartbeat>();
        // Shutdown must outlast the drain window, or the host would cut the last connections off.
        var drainWindow = configuration.GetSection(DrainOptions.Section).GetValue<TimeSpan?>(nameof(DrainOptions.Window)) ?? new DrainOptions().Window;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = drainWindow + TimeSpan.FromSeconds(10));
        services.AddHubHealthChecks(configuration);
        services.AddHubSecurity(configuration);
        services.AddHubProxy(configuration);
        services.AddHubAdmin(configuration);
        services.AddMercure(configuration);
        services.AddDemo(builder.Environment);
        return builder;
    }

    public static WebApplication UseHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<HubMetrics>().Observe(app.Services.GetRequiredService<SseConnections>(), app.Services.GetRequiredService<TopicFeeds>());
        // /metrics on its own listener when one is configured; nothing else there.
        app.UseHubManagementListener();
        // The client's address from a trusted proxy, before anything counts by address (streams too).
        app.UseHubProxy();
        // SSE streams first: they skip the rest of the pipeline, which would otherwise keep a suspended
        // frame per open stream (see SubscribeEndpoints).
        app.UseSubscriptionStreams();
        app.UseMercureStreams();
        // Before the status page's static file and endpoints, and the dashboard.
        app.UseAdminSurfaces();
        app.UseExceptionHandler();
        // Problem details for bare error statuses (404, 405, …), except on endpoints that write their own
        // (SkipStatusCodePages metadata): there the middleware would do nothing but cost the hottest path
        // an asynchronous frame, a feature and an Items dictionary per request (about 15 % of what a
        // publish allocated; docs/performance.md, eleventh pass).
        app.UseOnlyFor(context => context.GetEndpoint()?.Metadata.GetMetadata<ISkipStatusCodePagesMetadata>() is null, branch => branch.UseStatusCodePages());
        app.UseRejectionCounting();
        // GET / is the demo page (index.html) and GET /hub-client.js the browser client module.
        var assets = BrowserAssets.FileProvider(app.Environment);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = assets });
        app.UseStaticFiles(BrowserAssets.StaticFileOptions(assets));
        app.UseHubSecurity();
        app.MapPublishEndpoints();
        app.MapSubscribeEndpoints();
        app.MapTopicEndpoints();
        app.MapMercureEndpoints();
        app.MapHubHealthChecks();
        app.MapHubMetrics();
        app.MapNodeStatus();
        if (ClusterHosting.HostsEmbeddedSilo(app.Configuration) && AdminSurfaces.DashboardRuns(app.Configuration, app.Environment))
            app.MapOrleansDashboard("/dashboard");
        app.MapTestingEndpoints();
        app.MapDemoEndpoints(app.Environment);
        return app;
    }
}
