using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;

namespace Hub.Grains.Hosting;

/// <summary>
/// Who may see the admin surfaces (section <c>Hub:Admin</c>): the Orleans Dashboard (<c>/dashboard</c> and
/// everything under it) and the node status page (<c>/status</c>, <c>/status.html</c>, <c>/status/data</c>),
/// on API nodes and silos alike. <c>/metrics</c> and <c>/health/*</c> are not admin surfaces: scrapers and
/// orchestrators read them without a credential (keep them off the public balancer instead).
/// </summary>
public sealed class AdminOptions
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
