using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Hub.Grains.Hosting;

/// <summary>
/// Who may see the admin surfaces (section <c>Hub:Admin</c>): the Orleans Dashboard (<c>/dashboard</c> and
/// everything under it) and the node status page (<c>/status</c>, <c>/status.html</c>, <c>/status/data</c>),
/// on API nodes and silos alike. <c>/metrics</c> and <c>/health/*</c> are not admin surfaces: scrapers and
/// orchestrators read them without a credential: keep them off the public balancer, or give
/// <c>/metrics</c> a listener of its own (<see cref="MetricsUrls"/>).
/// </summary>
public sealed class AdminOptions : IValidatableObject
{
    public const string Section = "Hub:Admin";

    /// <summary>The shortest password accepted: a guessable one would make the lock decorative.</summary>
    public const int MinPasswordLength = 16;

    /// <summary>
    /// The admin password, sent with HTTP Basic authentication (any user name; browsers ask for it).
    /// Default unset: then the admin surfaces are open in the Development environment and off (404)
    /// everywhere else. Set: they need it in every environment. At least 16 characters.
    /// </summary>
    [MinLength(MinPasswordLength, ErrorMessage = "Hub:Admin:Password must be at least 16 characters.")]
    public string? Password { get; set; }

    /// <summary>
    /// Whether the dashboard's live log trace (<c>/dashboard/Trace</c>) runs. It streams every log line of the
    /// node, token subjects and private topic names included, so it is off unless asked for. Default false.
    /// </summary>
    public bool DashboardTrace { get; set; }

    /// <summary>
    /// Where <c>/metrics</c> is served instead of the public listener: one or more URLs separated by <c>;</c>,
    /// in the form of <c>--urls</c> (<c>http://127.0.0.1:9090</c>, <c>http://+:9090</c>), each with a port
    /// of its own. Set, the process listens there as well as on its public URLs; <c>/metrics</c> answers only
    /// there (404 on the public URLs), and the management listener serves nothing but <c>/metrics</c> and
    /// <c>/health/*</c> (which stay on the public URLs too, for balancers). Default unset: <c>/metrics</c>
    /// is served with everything else.
    /// </summary>
    public string? MetricsUrls { get; set; }

    /// <summary>The entries of <see cref="MetricsUrls"/>; none when it is unset.</summary>
    public IReadOnlyList<string> MetricsUrlList() =>
        (MetricsUrls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The ports of <see cref="MetricsUrls"/>: a request that arrives on one came to the management listener.</summary>
    public IReadOnlySet<int> MetricsPorts() => MetricsUrlList().Select(url => BindingAddress.Parse(url).Port).ToHashSet();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var url in MetricsUrlList())
        {
            BindingAddress? address = null;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                // Reported below, with the property's name.
            }
            if (address is null || address.Scheme != "http" || address.Port <= 0 || address.IsUnixPipe)
                yield return new ValidationResult(
                    $"Hub:Admin:MetricsUrls: '{url}' is not an http URL with a port of its own (e.g. http://127.0.0.1:9090).", [nameof(MetricsUrls)]);
        }
    }

    /// <summary>How the admin surfaces answer in <paramref name="environment"/>.</summary>
    public AdminAccess AccessIn(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(Password))
            return AdminAccess.Password;
        return environment.IsDevelopment() ? AdminAccess.Open : AdminAccess.Off;
    }
}

/// <summary>How the admin surfaces answer.</summary>
public enum AdminAccess
{
    /// <summary>To anyone (Development without a password).</summary>
    Open,

    /// <summary>To requests with the admin password.</summary>
    Password,

    /// <summary>Not at all: 404.</summary>
    Off,
}
