using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// docker-compose.yml runs what the cluster tests run: the same services, the same configuration keys on
/// each kind of process, and images whose entrypoints start the same programs. If a test starts needing
/// a key, the compose file must learn it too (or the deployment would silently differ from what is tested).
/// There is no Docker engine here, so whatever can be checked without one is: the start order and
/// restart policies, the health check command (run with bash against a real node), and how the images
/// build (restore layer, pinned SDK, non-root user, build context).
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly Compose File = Compose.Read(Path.Combine(RepoPaths.Root, "docker-compose.yml"));

    [Fact]
    public void Compose_NamesEveryService()
    {
        Assert.Equal(["redis", "silo", "api", "lb"], File.Services.Keys);
    }

    [Theory]
    [InlineData("silo", "Hub.Silo")]
    [InlineData("api", "Hub.Api")]
    public void Compose_GivesEachProcessEveryKeyTheClusterTestSets(string service, string project)
    {
        var tested = project == "Hub.Silo"
            ? HubCluster.SiloEnvironment("redis:6379", "hub", 11111, 30000).Keys
            : HubCluster.ApiEnvironment("redis:6379", "hub").Keys;
        var environment = File.Environment(service);
        // A silo's address is per container, so its image's entrypoint sets it (from `hostname -i`).
        var dockerfile = DockerfileOf(service);
        var missing = tested.Where(k => !environment.ContainsKey(k) && !dockerfile.Contains(k, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"docker-compose.yml's {service} lacks {string.Join(", ", missing)}, which the cluster test gives {project}");
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("silo")]
    [InlineData("api")]
    [InlineData("lb")]
    public void Compose_RestartsEveryServiceThatDies(string service)
    {
        Assert.True(File.Services[service].TryGetValue("restart", out var policy), $"{service} has no restart policy");
        Assert.Contains(policy, new[] { "always", "unless-stopped", "on-failure" });
    }

    [Theory]
    [InlineData("silo", "redis")]
    [InlineData("api", "redis")]
    [InlineData("api", "silo")]
    [InlineData("lb", "api")]
    public void Compose_StartsAServiceOnlyWhenWhatItNeedsIsHealthy(string service, string needs)
    {
        Assert.Equal("service_healthy", File.Services[service].GetValueOrDefault($"depends_on.{needs}.condition"));
        Assert.True(File.Services[needs].ContainsKey("healthcheck.test"), $"{needs} has no health check, so service_healthy would never hold");
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    public async Task HealthCheck_PassesOnAReadyNode_AndFailsOnA503OrNoListener(string service)
    {
        await using var ready = await HubServer.StartAsync();
        using var unready = new OneResponseServer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        Assert.Equal(0, await RunHealthCheckAsync(service, ready.Address.Port));
        Assert.NotEqual(0, await RunHealthCheckAsync(service, unready.Port));
        Assert.NotEqual(0, await RunHealthCheckAsync(service, FreePort.Next()));
    }

    [Theory]
    [InlineData("silo", "Hub.Silo")]
    [InlineData("api", "Hub.Api")]
    public void Dockerfile_BuildsAndStartsTheProgramTheClusterTestStarts(string service, string project)
    {
        var dockerfile = DockerfileOf(service);
        Assert.Contains($"dotnet publish src/{project}/{project}.csproj", dockerfile, StringComparison.Ordinal);
        var entrypoint = Assert.Single(dockerfile.Split('\n'), l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.Contains($"dotnet {Path.GetFileName(RepoPaths.Program(project))}", entrypoint.Replace("\", \"", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo", "Hub.Silo")]
    [InlineData("api", "Hub.Api")]
    public void Dockerfile_RestoresFromProjectFilesAlone_ThenCopiesEverySourceItBuilds(string service, string project)
    {
        var lines = DockerfileOf(service).Split('\n').Select(l => l.Trim()).ToList();
        var restore = lines.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "the image restores in a step of its own");
        var copied = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .Select(l => (At: lines.IndexOf(l), Sources: l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])).ToList();
        var beforeRestore = copied.Where(c => c.At < restore).SelectMany(c => c.Sources).ToList();
        var afterRestore = copied.Where(c => c.At > restore).SelectMany(c => c.Sources).ToList();

        // Only files that decide the restore come before it, so a source change reuses the restored layer.
        Assert.All(beforeRestore, s => Assert.Matches(@"(\.csproj|\.props|global\.json|\.editorconfig)$", s));
        foreach (var root in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" })
            Assert.Contains(root, beforeRestore);
        foreach (var referenced in ProjectClosure(project))
        {
            Assert.Contains($"src/{referenced}/{referenced}.csproj", beforeRestore);
            Assert.Contains($"src/{referenced}/", afterRestore);
        }
        Assert.DoesNotContain(".", afterRestore);
        Assert.Contains("--no-restore", lines.Single(l => l.StartsWith("RUN dotnet publish", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    public void Dockerfile_BuildsWithTheSdkGlobalJsonPins(string service)
    {
        using var globalJson = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(RepoPaths.Root, "global.json")));
        var pinned = globalJson.RootElement.GetProperty("sdk").GetProperty("version").GetString();
        var buildImage = DockerfileOf(service).Split('\n').Single(l => l.StartsWith("ARG SDK_IMAGE=", StringComparison.Ordinal));
        Assert.EndsWith($"/dotnet/sdk:{pinned}", buildImage.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    public void Dockerfile_RunsAsTheImagesNonRootUser(string service)
    {
        var lines = DockerfileOf(service).Split('\n');
        var runtime = lines.Select((l, i) => (l, i)).Last(x => x.l.StartsWith("FROM ", StringComparison.Ordinal)).i;
        var finalStage = lines[runtime..];
        var user = Array.FindLastIndex(finalStage, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.True(user >= 0, "the runtime stage sets a USER");
        Assert.Equal("USER $APP_UID", finalStage[user].Trim());
        Assert.True(user < Array.FindIndex(finalStage, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
    }

    [Fact]
    public void DockerIgnore_KeepsBuildOutputOut_AndWhatTheImagesCopyIn()
    {
        var patterns = System.IO.File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var output in new[] { "**/bin/", "**/obj/", ".git/" })
            Assert.Contains(output, patterns);
        foreach (var needed in new[] { "src", "src/", "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "*", "**" })
            Assert.DoesNotContain(needed, patterns);
    }

    /// <summary>Runs the compose health check of <paramref name="service"/> as Docker would (argv after CMD), aimed at <paramref name="port"/>.</summary>
    private static async Task<int> RunHealthCheckAsync(string service, int port)
    {
        var test = JsonSerializer.Deserialize<string[]>(File.Services[service]["healthcheck.test"])!;
        Assert.Equal("CMD", test[0]);
        // Compose turns $$ into $; inside the container the node listens on 8080.
        var argv = test[1..].Select(a => a.Replace("$$", "$", StringComparison.Ordinal).Replace("/8080", $"/{port}", StringComparison.Ordinal)).ToArray();
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(argv[0], argv[1..]) { RedirectStandardError = true })!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return process.ExitCode;
    }

    /// <summary>The project and every project it references, transitively, by name.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name))
                continue;
            var csproj = XDocument.Load(Path.Combine(RepoPaths.Root, "src", name, $"{name}.csproj"));
            foreach (var reference in csproj.Descendants("ProjectReference"))
                pending.Push(Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value));
        }
        return seen;
    }

    private static string DockerfileOf(string service) =>
        System.IO.File.ReadAllText(Path.Combine(RepoPaths.Root, File.Services[service]["build.dockerfile"]));

    /// <summary>A loopback TCP server that answers every connection with one fixed HTTP response.</summary>
    private sealed class OneResponseServer : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);

        public OneResponseServer(string response)
        {
            _listener.Start();
            _ = ServeAsync(System.Text.Encoding.ASCII.GetBytes(response));
        }

        public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

        public void Dispose() => _listener.Stop();

        private async Task ServeAsync(byte[] response)
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    var stream = client.GetStream();
                    // One read takes the whole small request; the answer does not depend on it.
                    _ = await stream.ReadAsync(new byte[4096]);
                    await stream.WriteAsync(response);
                }
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
            {
                // Stopped by Dispose, or a client that went away: nothing more to serve.
            }
        }
    }

    /// <summary>
    /// Just enough YAML for this compose file: top-level <c>services:</c> and anchored maps, each service's
    /// nested maps flattened to dotted paths (<c>depends_on.silo.condition</c>, <c>environment.Hub__…</c>),
    /// and anchors used as a value (<c>healthcheck: *ready-check</c>) or merged (<c>&lt;&lt;: *anchor</c>).
    /// Lists other than flow sequences on one line are skipped.
    /// </summary>
    private sealed partial class Compose
    {
        public Dictionary<string, Dictionary<string, string>> Services { get; } = new(StringComparer.Ordinal);

        private Dictionary<string, Dictionary<string, string>> Anchors { get; } = new(StringComparer.Ordinal);

        public static Compose Read(string path)
        {
            var compose = new Compose();
            string? topLevel = null;
            Dictionary<string, string>? target = null;
            var parents = new Stack<(int Indent, string Key)>();
            foreach (var raw in System.IO.File.ReadAllLines(path))
            {
                var line = raw.Split(" #")[0].TrimEnd();
                if (line.Length == 0 || line.TrimStart().StartsWith('#'))
                    continue;
                var indent = line.Length - line.TrimStart().Length;
                var match = Entry().Match(line.Trim());
                if (!match.Success)
                    continue;
                var (key, value) = (match.Groups["key"].Value, match.Groups["value"].Value.Trim());
                value = value.StartsWith('[') ? value : value.Trim('"');
                while (parents.Count > 0 && parents.Peek().Indent >= indent)
                    parents.Pop();
                if (indent == 0)
                {
                    topLevel = key;
                    target = value.StartsWith('&') ? compose.Anchors[value[1..]] = new(StringComparer.Ordinal) : null;
                    continue;
                }
                if (indent == 2 && topLevel == "services")
                {
                    compose.Services[key] = target = new(StringComparer.Ordinal);
                    continue;
                }
                if (target is null)
                    continue;
                var prefix = string.Concat(parents.Reverse().Select(p => p.Key + "."));
                if (value.Length == 0)
                    parents.Push((indent, key));
                else if (value.StartsWith('*'))
                {
                    foreach (var (k, v) in compose.Anchors[value[1..]])
                        target[key == "<<" ? prefix + k : $"{prefix}{key}.{k}"] = v;
                }
                else
                    target[prefix + key] = value;
            }
            return compose;
        }

        /// <summary>A service's environment, with merged anchors, as key → value.</summary>
        public Dictionary<string, string> Environment(string service) =>
            Services[service]
                .Where(e => e.Key.StartsWith("environment.Hub__", StringComparison.Ordinal) || e.Key.StartsWith("environment.ASPNETCORE_", StringComparison.Ordinal))
                .ToDictionary(e => e.Key["environment.".Length..], e => e.Value, StringComparer.Ordinal);

        [GeneratedRegex(@"^(?<key>[A-Za-z0-9_<.-]+):(\s+(?<value>.*))?$")]
        private static partial Regex Entry();
    }
}
