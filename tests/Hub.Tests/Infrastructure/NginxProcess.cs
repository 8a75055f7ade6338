using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A real nginx running the repository's own <c>deploy/nginx.conf</c>, with only what Docker would
/// provide mapped to loopback: the upstream <c>api:8080</c> (found by Docker's DNS there) becomes the
/// given API nodes, port 80 a free loopback port, and logs and temp files go to a directory of its own.
/// Every other line — buffering, timeouts, retries on another upstream — is the deployed one. Stopped by
/// its PID.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private NginxProcess(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    /// <summary>The access log as written so far, in the deployed format.</summary>
    public string AccessLog => File.Exists(Path.Combine(_directory, "access.log")) ? File.ReadAllText(Path.Combine(_directory, "access.log")) : "";

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<NginxProcess> StartAsync(IEnumerable<Uri> upstreams)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        var directory = Directory.CreateTempSubdirectory("hub-nginx-").FullName;
        var port = FreePort.Next();
        var servers = string.Concat(upstreams.Select(u => $"server 127.0.0.1:{u.Port.ToString(CultureInfo.InvariantCulture)};\n    "));
        var config = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "nginx.conf"));
        config = Replace(config, "resolver 127.0.0.11 valid=10s ipv6=off;", "");
        config = Replace(config, "server api:8080 resolve;", servers);
        config = Replace(config, "listen 80;", $"listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)};");
        config = Replace(config, "access_log /var/log/nginx/access.log hub;", $"access_log {directory}/access.log hub;");
        config = Replace(config, "http {", $$"""
            http {
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
            """);
        var path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, config);

        var start = new ProcessStartInfo("nginx", ["-p", directory, "-c", path, "-e", "stderr", "-g", $"daemon off; pid {directory}/nginx.pid;"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var nginx = new NginxProcess(Process.Start(start) ?? throw new InvalidOperationException("nginx did not start"), directory, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        try
        {
            using var client = new HttpClient { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(async () =>
            {
                if (nginx._process.HasExited)
                    throw new InvalidOperationException($"nginx exited with {nginx._process.ExitCode}:\n{nginx.Output}");
                try
                {
                    using var response = await client.GetAsync("health/live");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "nginx answers through to an API node", TimeSpan.FromSeconds(30));
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Replaces a line the deployed file must have; fails if it no longer has it, so the mapping never silently misses.</summary>
    private static string Replace(string config, string line, string replacement) =>
        config.Contains(line, StringComparison.Ordinal)
            ? config.Replace(line, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"deploy/nginx.conf no longer has \"{line}\": update NginxProcess's mapping to loopback.");

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
