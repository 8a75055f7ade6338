using Hub.Api.Subscriptions;
using Microsoft.Extensions.Options;

namespace Hub.Api.Testing;

/// <summary>Endpoints that exist only when <see cref="TestingOptions"/> enables them.</summary>
public static partial class TestingEndpoints
{
    public static IEndpointRouteBuilder MapTestingEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ServiceProvider.GetRequiredService<IOptions<TestingOptions>>().Value;
        if (!options.EnableDropEndpoint)
            return app;

        // Ends each stream cleanly (its response completes), as a proxy restart would: the browser sees the
        // stream end, waits the retry delay and reconnects with its Last-Event-ID.
        app.MapPost("/testing/drop", (SseConnections connections, ILoggerFactory loggers) =>
        {
            var dropped = 0;
            foreach (var connection in connections.All)
            {
                connection.Close(ConnectionCloseReason.Dropped);
                dropped++;
            }
            LogDropped(loggers.CreateLogger(typeof(TestingEndpoints)), dropped);
            return TypedResults.Ok(new DropResponse(dropped));
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "POST /testing/drop ended {Count} SSE connection(s)")]
    private static partial void LogDropped(ILogger logger, int count);
}
