using Hub.Grains.Hosting;

// A silo process: configuration in, grains and providers wired, nothing else. It answers /health/live
// so an orchestrator can tell it is up, and /health/ready only while Redis (when configured) answers.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration));
builder.Services.AddHealthChecks()
    .AddHubRedisCheck(builder.Configuration.ReadHubOptions<RedisOptions>(RedisOptions.Section), "ready");

var app = builder.Build();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
app.Run();
