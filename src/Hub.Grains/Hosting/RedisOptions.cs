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

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}
