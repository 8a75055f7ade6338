using System.Globalization;
using Hub.Grains.Contracts;
using Hub.Grains.Hosting;
using Hub.Tests.Infrastructure;
using Hub.Token;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Cluster;

/// <summary>
/// A scaled hub as separate processes on loopback, the way docker-compose.yml runs it: Hub.Silo and
/// Hub.Api started from the built binaries, configured only through the compose file's environment
/// keys, sharing one Redis. Every cluster gets its own ClusterId and ServiceId, so clusters on the same
/// Redis never see each other's silos or logs. Nodes are addressed by index; a node that is killed or
/// stopped keeps its index until a replacement is started there. Disposal kills every process it
/// started, by PID.
/// </summary>
public sealed class HubCluster : IAsyncDisposable
{
    public const string SigningKey = "cluster-test-signing-key-0123456789abcdef";

    /// <summary>What the tests give the drain: short, so a rolling restart is quick, but long enough to spread closes.</summary>
    public static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly RedisServer _redis;
    private readonly HubProcess?[] _silos;
    private readonly HubProcess?[] _apis;
    private readonly List<HubProcess> _started = [];
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly IReadOnlyDictionary<string, string> _siloSettings;
    private IHost? _observer;

    private HubCluster(RedisServer redis, int silos, int apis, IReadOnlyDictionary<string, string>? settings, IReadOnlyDictionary<string, string>? siloSettings)
    {
        _redis = redis;
        _settings = settings ?? new Dictionary<string, string>();
        _siloSettings = siloSettings ?? new Dictionary<string, string>();
        _silos = new HubProcess?[silos];
        _apis = new HubProcess?[apis];
        ClusterId = $"c{Guid.NewGuid():N}"[..13];
    }

    /// <summary>Unique per cluster; also its ServiceId, so its event logs are its own.</summary>
    public string ClusterId { get; }

    /// <summary>One client for all requests to any node (addresses are absolute), so a node's death never disposes it.</summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(45),
    };

    public int SiloCount => _silos.Length;

    public int ApiCount => _apis.Length;

    /// <summary>The API nodes a load balancer would route to now: started, not killed or stopping.</summary>
    public IReadOnlyList<HubProcess> LiveApis
    {
        get
        {
            lock (_apis)
                return [.. _apis.OfType<HubProcess>()];
        }
    }

    public HubProcess Api(int index) => _apis[index] ?? throw new InvalidOperationException($"API node {index} is down.");

    public HubProcess Silo(int index) => _silos[index] ?? throw new InvalidOperationException($"Silo {index} is down.");

    /// <summary>
    /// Starts <paramref name="silos"/> silos, then <paramref name="apis"/> API nodes, and waits until each
    /// answers /health/ready. <paramref name="settings"/> (environment keys such as <c>Hub__Publish__MaxQueuedEvents</c>)
    /// go to every process, on top of the compose file's; <paramref name="siloSettings"/> to silos only, last.
    /// </summary>
    public static async Task<HubCluster> StartAsync(
        RedisServer redis, int silos = 2, int apis = 2, IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? siloSettings = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var cluster = new HubCluster(redis, silos, apis, settings, siloSettings);
        try
        {
            // The first silo alone first: two silos starting together can both wait on an empty membership table.
            await cluster.StartSiloAsync(0);
            await Task.WhenAll(Enumerable.Range(1, silos - 1).Select(cluster.StartSiloAsync));
            await Task.WhenAll(Enumerable.Range(0, apis).Select(cluster.StartApiAsync));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The environment of a silo: the keys docker-compose.yml gives the silo service.</summary>
    public static Dictionary<string, string> SiloEnvironment(string redis, string clusterId, int siloPort, int gatewayPort) => new()
    {
        ["Hub__Redis__ConnectionString"] = redis,
        ["Hub__Cluster__ClusterId"] = clusterId,
        ["Hub__Cluster__ServiceId"] = clusterId,
        ["Hub__Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
        ["Hub__Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
        ["Hub__Cluster__AdvertisedIP"] = "127.0.0.1",
        ["Hub__Retention__MaxEventsPerTopic"] = "1000",
        ["Hub__Logging__Json"] = "true",
    };

    /// <summary>The environment of an API node: the keys docker-compose.yml gives the api service.</summary>
    public static Dictionary<string, string> ApiEnvironment(string redis, string clusterId) => new()
    {
        ["Hub__Redis__ConnectionString"] = redis,
        ["Hub__Cluster__ClusterId"] = clusterId,
        ["Hub__Cluster__ServiceId"] = clusterId,
        ["Hub__Auth__SigningKey"] = SigningKey,
        ["Hub__Drain__Window"] = DrainWindow.ToString("c", CultureInfo.InvariantCulture),
        ["Hub__Logging__Json"] = "true",
    };

    /// <summary>A publisher's token, minted as tools/Hub.Token mints it. Each publisher has its own <c>sub</c> (rate limits are per sub).</summary>
    public static string PublisherToken(string subject) =>
        TokenMinter.Create(new TokenSpec(["*"], [], TimeSpan.FromHours(1), subject), TokenMinter.Hmac(SigningKey), DateTimeOffset.UtcNow);

    /// <summary>Starts a silo at <paramref name="index"/> (a replacement, on new ports, when one ran there before).</summary>
    public async Task StartSiloAsync(int index)
    {
        var environment = WithSettings(SiloEnvironment(_redis.ConnectionString, ClusterId, FreePort.Next(), FreePort.Next()));
        foreach (var (key, value) in _siloSettings)
            environment[key] = value;
        var silo = await HubProcess.StartAsync("Hub.Silo", environment, timeout: StartTimeout);
        lock (_apis)
        {
            _started.Add(silo);
            _silos[index] = silo;
        }
    }

    /// <summary>Starts an API node at <paramref name="index"/> and waits until it is ready (it found the cluster).</summary>
    public async Task StartApiAsync(int index)
    {
        var api = await HubProcess.StartAsync("Hub.Api", WithSettings(ApiEnvironment(_redis.ConnectionString, ClusterId)), timeout: StartTimeout);
        lock (_apis)
        {
            _started.Add(api);
            _apis[index] = api;
        }
    }

    /// <summary>Crashes an API node (SIGKILL). Its clients find out from their broken connections.</summary>
    public Task KillApiAsync(int index) => Take(_apis, index).KillAsync();

    /// <summary>Stops an API node gracefully (SIGTERM): it leaves the routing at once and drains its clients.</summary>
    public Task StopApiAsync(int index) => Take(_apis, index).StopAsync(TimeSpan.FromSeconds(60));

    /// <summary>Crashes a silo (SIGKILL): its grain activations and stream queues are gone.</summary>
    public Task KillSiloAsync(int index) => Take(_silos, index).KillAsync();

    /// <summary>Stops a silo gracefully (SIGTERM): Orleans deactivates its grains and leaves the membership.</summary>
    public Task StopSiloAsync(int index) => Take(_silos, index).StopAsync(TimeSpan.FromSeconds(60));

    /// <summary>The index of the silo where <paramref name="topic"/>'s grain is active now (activating it if need be).</summary>
    public async Task<int> SiloHostingAsync(string topic)
    {
        var grains = (await ObserverAsync()).Services.GetRequiredService<IGrainFactory>();
        var grain = grains.GetGrain<ITopicGrain>(topic);
        // Not a read: a topic grain lets go of an unborn topic's activation once a read is answered, and the
        // tests ask where a topic will live before they publish to it. Asking for a channel's head keeps it.
        await grain.GetChannelHeadAsync("activate").WaitAsync(TimeSpan.FromSeconds(30));
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain).AsTask().WaitAsync(TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException($"The grain of topic {topic} has no activation.");
        for (var i = 0; i < _silos.Length; i++)
        {
            if (_silos[i] is { } silo && silo.Environment["Hub__Cluster__SiloPort"] == address.Endpoint.Port.ToString(CultureInfo.InvariantCulture))
                return i;
        }
        throw new InvalidOperationException($"No silo of this cluster listens at {address}.");
    }

    /// <summary>Everything the processes printed, for a failure message.</summary>
    public string Output()
    {
        lock (_apis)
            return string.Join("\n", _started.Select(p => $"===== {p.Project} pid {p.Pid} =====\n{p.Output}"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_observer is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _observer.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // The cluster may be gone already; the processes die below whatever the client thinks.
            }
            _observer.Dispose();
        }
        List<HubProcess> started;
        lock (_apis)
            started = [.. _started];
        foreach (var process in started)
            await process.DisposeAsync();
        Http.Dispose();
    }

    private Dictionary<string, string> WithSettings(Dictionary<string, string> environment)
    {
        // Every test client comes from 127.0.0.1: the per-address read rate would count them as one client.
        // A test of the limit itself sets it in its settings.
        environment["Hub__Limits__ReadRequestsPerSecond"] = "0";
        foreach (var (key, value) in _settings)
            environment[key] = value;
        return environment;
    }

    private HubProcess Take(HubProcess?[] nodes, int index)
    {
        lock (_apis)
        {
            var node = nodes[index] ?? throw new InvalidOperationException($"Node {index} is down already.");
            nodes[index] = null;
            return node;
        }
    }

    /// <summary>
    /// An Orleans client of this cluster in the test process, wired with the API node's own code
    /// (<see cref="HubClientBuilderExtensions.AddHubClient"/>), used only to ask where a grain lives.
    /// </summary>
    private async Task<IHost> ObserverAsync()
    {
        if (_observer is not null)
            return _observer;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Redis:ConnectionString"] = _redis.ConnectionString,
            ["Hub:Cluster:ClusterId"] = ClusterId,
            ["Hub:Cluster:ServiceId"] = ClusterId,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.AddHubClient(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync().WaitAsync(StartTimeout);
        _observer = host;
        return host;
    }
}
