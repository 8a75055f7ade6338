using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Hub.Api.Security;

/// <summary>
/// The reverse proxies the hub trusts (section <c>Hub:Proxy</c>). A request from one of them is taken to
/// come from the address its <c>X-Forwarded-For</c> names (the last entry, the one the proxy added), and
/// with the scheme of <c>X-Forwarded-Proto</c>; per-address limits and logs then see the real client.
/// Requests from anywhere else keep their own address, whatever headers they send. Default: none trusted.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Hub:Proxy";

    /// <summary>Addresses of trusted proxies (<c>10.0.0.5</c>, <c>2001:db8::5</c>). Default none.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (<c>172.28.0.0/24</c>). Default none.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>True when any proxy is trusted, so the forwarded headers are read at all.</summary>
    public bool TrustsAny => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    public IEnumerable<IPAddress> Proxies() => KnownProxies.Select(p => IPAddress.Parse(p.Trim()));

    public IEnumerable<IPNetwork> Networks() => KnownNetworks.Select(n => IPNetwork.Parse(n.Trim()));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies)
        {
            if (!IPAddress.TryParse(proxy?.Trim(), out _))
                yield return new ValidationResult($"Hub:Proxy:KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }
        foreach (var network in KnownNetworks)
        {
            if (!IPNetwork.TryParse(network?.Trim(), out _))
                yield return new ValidationResult($"Hub:Proxy:KnownNetworks: '{network}' is not a network in CIDR notation (such as 172.28.0.0/24).", [nameof(KnownNetworks)]);
        }
    }
}
