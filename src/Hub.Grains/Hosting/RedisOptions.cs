namespace Hub.Grains.Hosting;

/// <summary>
/// The Redis deployment (section <c>Hub:Redis</c>). Setting <see cref="ConnectionString"/> switches a node
/// from the embedded in-memory default to Redis: Orleans membership, the stream pub-sub store and the
/// event log all live there.
/// </summary>
public sealed class RedisOptions
{
    public const string Section = "Hub:Redis";

    /// <summary>A StackExchange.Redis configuration string such as <c>redis:6379</c>. Null or empty: embedded, in memory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Starts every event-log key, so several hubs can share one Redis. Null or empty means
    /// <c>hub:{ServiceId}:</c> (see <see cref="HubClusterOptions.ServiceId"/>). Changing it on a running
    /// deployment hides the old logs: every topic starts a new epoch and subscribers get a reset.
    /// </summary>
    public string? KeyPrefix { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>The key prefix in force for a service.</summary>
    public string KeyPrefixFor(string serviceId) =>
        string.IsNullOrEmpty(KeyPrefix) ? EventLog.RedisKeys.DefaultPrefix(serviceId) : KeyPrefix;
}
