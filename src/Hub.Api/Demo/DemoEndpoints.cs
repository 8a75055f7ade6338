using Hub.Api.Http;
using Hub.Grains.Contracts;

namespace Hub.Api.Demo;

/// <summary>
/// <c>POST /demo/answers/{topic}?chunksPerSecond=20</c>, in Development only: starts a simulated streamed
/// answer (<see cref="AnswerGenerator"/>) into the topic and answers <c>202</c> at once; the streamed
/// answer page (<c>/stream.html</c>) follows it.
/// </summary>
public static class DemoEndpoints
{
    public static IServiceCollection AddDemo(this IServiceCollection services, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.IsDevelopment())
            services.AddSingleton<AnswerGenerator>();
        return services;
    }

    public static IEndpointRouteBuilder MapDemoEndpoints(this IEndpointRouteBuilder app, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsDevelopment())
            return app;
        app.MapPost("/demo/answers/{topic}", (string topic, int? chunksPerSecond, AnswerGenerator generator, HttpContext context) =>
        {
            if (EventRules.CheckClientTopic(topic) is { } problem)
                return Problems.BadRequest(problem);
            var rate = chunksPerSecond ?? 20;
            if (rate is < 1 or > 1000)
                return Problems.BadRequest("chunksPerSecond must be between 1 and 1000.");
            if (!generator.TryStart(topic, rate))
                return Problems.TooManyRequests(context, $"At most {AnswerGenerator.MaxRunning} demo answers run at once.", 5);
            return TypedResults.Accepted($"/topics/{Uri.EscapeDataString(topic)}/events");
        });
        return app;
    }
}
