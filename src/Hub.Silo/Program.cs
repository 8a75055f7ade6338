using Hub.Grains.Hosting;
using Orleans.Dashboard;

// A silo process: configuration in, grains and providers wired. Its small HTTP side serves
// /health/live, Prometheus metrics at /metrics and the Orleans Dashboard at /dashboard.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration));
builder.AddHubObservability();
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/health/live");
app.MapHubMetrics();
app.MapOrleansDashboard("/dashboard");
app.Run();
