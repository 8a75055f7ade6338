using Hub.Grains.Hosting;
using Orleans.Dashboard;

// A silo process: configuration in, grains and providers wired. Its small HTTP side serves
// /health/live, /health/ready (only while Redis, when configured, answers), Prometheus metrics at
// /metrics (or on Hub:Admin:MetricsUrls alone) and the Orleans Dashboard at /dashboard (behind
// Hub:Admin, see docs/security.md; not run at all where Hub:Admin keeps it off).
var builder = WebApplication.CreateBuilder(args);
// Its own default port, so a silo and an API node (Kestrel's default, localhost:5000) can run side by
// side on one machine; --urls or ASPNETCORE_URLS (as in the container image) choose another. A "Urls"
// key in appsettings.json would instead override ASPNETCORE_URLS, which is why there is none.
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://127.0.0.1:11180");
// Hub:Admin:MetricsUrls: /metrics on a listener of its own, beside the URLs above.
builder.AddHubManagementListener();
builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration, builder.Environment));
builder.AddHubObservability();
builder.Services.AddHubAdmin(builder.Configuration);
builder.Services.AddHealthChecks()
    .AddHubRedisCheck(builder.Configuration.ReadHubOptions<RedisOptions>(RedisOptions.Section), "ready");

var app = builder.Build();
app.UseHubManagementListener();
app.UseAdminSurfaces();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
app.MapHubMetrics();
if (AdminSurfaces.DashboardRuns(builder.Configuration, builder.Environment))
    app.MapOrleansDashboard("/dashboard");
app.Run();
