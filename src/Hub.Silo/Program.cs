using Hub.Grains.Hosting;

// A silo process: configuration in, grains and providers wired, nothing else. It also answers
// /health/live so an orchestrator can tell it is up.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration));
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/health/live");
app.Run();
