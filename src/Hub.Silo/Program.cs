using Hub.Grains.Hosting;
using Orleans.Dashboard;

// A silo process: configuration in, grains and providers wired. Its small HTTP side serves
// /health/live, /health/ready (only while Redis, when configured, answers), Prometheus metrics at
// /metrics and the Orleans Dashboard at /dashboard.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration));
builder.AddHubObservability();
builder.Services.AddHealthChecks()
    .AddHubRedisCheck(builder.Configuration.ReadHubOptions<RedisOptions>(RedisOptions.Section), "ready");

var app = builder.Build();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
app.MapHubMetrics();
app.MapOrleansDashboard("/dashboard");
app.Run();
