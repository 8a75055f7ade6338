using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace Hub.Grains.Hosting;

/// <summary>
/// The lock in front of the admin surfaces (<see cref="AdminOptions"/>): a middleware that looks at the
/// path only, so every other request (SSE streams included) passes through without a frame of its own.
/// </summary>
public static class AdminSurfaces
{
    private const string Realm = "Basic realm=\"hub admin\", charset=\"UTF-8\"";

    /// <summary>Whether <paramref name="path"/> is an admin surface: the dashboard and the status page.</summary>
    public static bool IsAdminPath(PathString path) =>
        path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/status", StringComparison.OrdinalIgnoreCase)
        || path.Equals("/status.html", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether this process runs the Orleans Dashboard: only where it can be reached (with
    /// <c>Hub:Admin:Password</c>, or in Development). Off, the silo collects nothing for it and
    /// <c>/dashboard</c> answers 404 like the other admin surfaces.
    /// </summary>
    public static bool DashboardRuns(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.ReadHubOptions<AdminOptions>(AdminOptions.Section).AccessIn(environment) != AdminAccess.Off;

    /// <summary>Binds <see cref="AdminOptions"/> and keeps the dashboard's log trace off unless they ask for it.</summary>
    public static IServiceCollection AddHubAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHubOptions<AdminOptions>(configuration, AdminOptions.Section);
        services.AddOptions<DashboardOptions>().Configure<IOptions<AdminOptions>>((dashboard, admin) => dashboard.HideTrace = !admin.Value.DashboardTrace);
        return services;
    }

    /// <summary>Call before the admin surfaces are mapped (and after the SSE stream branches, which it never concerns).</summary>
    public static IApplicationBuilder UseAdminSurfaces(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<IOptions<AdminOptions>>().Value;
        var access = options.AccessIn(app.ApplicationServices.GetRequiredService<IHostEnvironment>());
        if (access == AdminAccess.Open)
            return app;
        // Compared as hashes, in constant time: neither the length nor a prefix of the password leaks.
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Password ?? ""));
        return app.Use((context, next) =>
        {
            if (!IsAdminPath(context.Request.Path))
                return next(context);
            if (access == AdminAccess.Off)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: "The admin surfaces are off: set Hub:Admin:Password to reach them with that password.").ExecuteAsync(context);
            if (HasPassword(context.Request, expected))
                return next(context);
            context.Response.Headers.WWWAuthenticate = Realm;
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "The admin surfaces need the admin password (Hub:Admin:Password) with HTTP Basic authentication; any user name.").ExecuteAsync(context);
        });
    }

    private static bool HasPassword(HttpRequest request, byte[] expected)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is not { Length: > 0 and <= 1024 } parameter)
            return false;
        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(credentials[(colon + 1)..]));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
