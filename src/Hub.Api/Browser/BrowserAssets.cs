using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Hub.Api.Browser;

/// <summary>
/// The demo page (<c>GET /</c>) and the browser client module (<c>GET /hub-client.js</c>): static files
/// from <c>wwwroot/</c>, with no external CDN, so they work offline and behind a firewall.
/// </summary>
public static class BrowserAssets
{
    public const string ClientModulePath = "/hub-client.js";

    /// <summary>
    /// The content root's <c>wwwroot/</c> first (live edits under <c>dotnet run</c>, or an operator's own
    /// page), then the copy the build puts beside the assembly, so the page is there whatever the
    /// working directory of the process (tests, <c>dotnet Hub.Api.dll</c> from elsewhere).
    /// </summary>
    public static IFileProvider FileProvider(IWebHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var shipped = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(shipped)
            ? new CompositeFileProvider(environment.WebRootFileProvider, new PhysicalFileProvider(shipped))
            : environment.WebRootFileProvider;
    }

    public static StaticFileOptions StaticFileOptions(IFileProvider files) => new()
    {
        FileProvider = files,
        OnPrepareResponse = context =>
        {
            var headers = context.Context.Response.Headers;
            // Revalidate (cheap, by ETag) so a browser never runs a page or client older than the hub.
            headers.CacheControl = "no-cache";
            headers.XContentTypeOptions = "nosniff";
            if (context.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
            {
                // Defence in depth behind the page's text-only rendering: even if streamed data did end up as
                // markup, no inline or foreign script, style or image could run or load.
                headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
                    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            }
            // Any page may import the client module: it is public code, and ES modules load in CORS mode.
            if (context.Context.Request.Path.Equals(ClientModulePath, StringComparison.Ordinal))
                headers[HeaderNames.AccessControlAllowOrigin] = "*";
        },
    };
}
