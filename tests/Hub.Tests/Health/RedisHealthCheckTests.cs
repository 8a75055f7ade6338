using System.Diagnostics;
using Hub.Grains.Hosting;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using Xunit;

namespace Hub.Tests.Health;

[Collection(RedisCollection.Name)]
public sealed class RedisHealthCheckTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RedisAnswering_IsHealthy()
    {
        await using var connection = await redis.ConnectAsync();

        var result = await CheckAsync(connection);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task RedisUnreachable_IsUnhealthy()
    {
        await using var connection = await RedisServer.ConnectUnreachableAsync();

        var result = await CheckAsync(connection);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task RedisGoneAndBack_TurnsUnhealthyThenHealthyAgain()
    {
        await using var connection = await redis.ConnectAsync();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(connection)).Status);

        await redis.StopAsync().WaitAsync(Timeout);
        try
        {
            await WaitForStatusAsync(connection, HealthStatus.Unhealthy);
        }
        finally
        {
            await redis.StartAsync().WaitAsync(Timeout);
        }

        await WaitForStatusAsync(connection, HealthStatus.Healthy);
    }

    private static Task<HealthCheckResult> CheckAsync(IConnectionMultiplexer connection) =>
        new RedisHealthCheck(connection).CheckHealthAsync(new HealthCheckContext()).WaitAsync(Timeout);

    /// <summary>Readiness is polled by load balancers too: poll until it reports <paramref name="status"/>.</summary>
    private static async Task WaitForStatusAsync(IConnectionMultiplexer connection, HealthStatus status)
    {
        var waited = Stopwatch.StartNew();
        while ((await CheckAsync(connection)).Status != status)
        {
            Assert.True(waited.Elapsed < Timeout, $"Still not {status} after {Timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
