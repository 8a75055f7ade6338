namespace Hub.Api.Testing;

/// <summary>
/// Switches for end-to-end tests (section <c>Hub:Testing</c>). Everything here is off by default and
/// must stay off in production: these endpoints let any caller disturb every client of the node.
/// </summary>
public sealed class TestingOptions
{
    public const string Section = "Hub:Testing";

    /// <summary>
    /// Maps <c>POST /testing/drop</c>, which ends every SSE connection of this node as a crashed proxy or a
    /// restarted node would, so tests can prove that browsers reconnect and resume by themselves.
    /// Default false (the endpoint does not exist).
    /// </summary>
    public bool EnableDropEndpoint { get; set; }
}
