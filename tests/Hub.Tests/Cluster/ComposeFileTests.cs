using System.Text.RegularExpressions;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// docker-compose.yml runs what the cluster tests run: the same services, the same configuration keys on
/// each kind of process, and images whose entrypoints start the same programs. If a test starts needing
/// a key, the compose file must learn it too (or the deployment would silently differ from what is tested).
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
    [InlineData("silo", "Hub.Silo")]
    [InlineData("api", "Hub.Api")]
    public void Dockerfile_BuildsAndStartsTheProgramTheClusterTestStarts(string service, string project)
    {
        var dockerfile = DockerfileOf(service);
        Assert.Contains($"dotnet publish src/{project}/{project}.csproj", dockerfile, StringComparison.Ordinal);
        var entrypoint = Assert.Single(dockerfile.Split('\n'), l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.Contains($"dotnet {Path.GetFileName(RepoPaths.Program(project))}", entrypoint.Replace("\", \"", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static string DockerfileOf(string service) =>
        System.IO.File.ReadAllText(Path.Combine(RepoPaths.Root, File.Services[service].Single(l => l.Key == "dockerfile").Value));

    /// <summary>
    /// Just enough YAML for this compose file: top-level <c>services:</c>, each service's scalar lines, its
    /// <c>environment:</c> map, and one <c>&lt;&lt;: *anchor</c> merge of a top-level anchored map.
    /// </summary>
    private sealed partial class Compose
    {
        public Dictionary<string, List<KeyValuePair<string, string>>> Services { get; } = new(StringComparer.Ordinal);

        private Dictionary<string, Dictionary<string, string>> Anchors { get; } = new(StringComparer.Ordinal);

        public static Compose Read(string path)
        {
            var compose = new Compose();
            string? topLevel = null;
            string? service = null;
            Dictionary<string, string>? anchor = null;
            foreach (var raw in System.IO.File.ReadAllLines(path))
            {
                var line = raw.Split(" #")[0].TrimEnd();
                if (line.Length == 0 || line.TrimStart().StartsWith('#'))
                    continue;
                var indent = line.Length - line.TrimStart().Length;
                var match = Entry().Match(line.Trim());
                if (!match.Success)
                    continue;
                var (key, value) = (match.Groups["key"].Value, match.Groups["value"].Value.Trim().Trim('"'));
                if (indent == 0)
                {
                    topLevel = key;
                    anchor = value.StartsWith('&') ? compose.Anchors[value[1..]] = new(StringComparer.Ordinal) : null;
                    service = null;
                }
                else if (indent == 2 && anchor is not null)
                    anchor[key] = value;
                else if (indent == 2 && topLevel == "services")
                    compose.Services[service = key] = [];
                else if (service is not null)
                    compose.Services[service].Add(new(key, value));
            }
            return compose;
        }

        /// <summary>A service's environment, with merged anchors, as key → value.</summary>
        public Dictionary<string, string> Environment(string service)
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in Services[service])
            {
                if (key == "<<" && value.StartsWith('*'))
                {
                    foreach (var (k, v) in Anchors[value[1..]])
                        environment[k] = v;
                }
                else if (key.StartsWith("Hub__", StringComparison.Ordinal) || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
                    environment[key] = value;
            }
            return environment;
        }

        [GeneratedRegex(@"^(?<key>[A-Za-z0-9_<.-]+):(\s+(?<value>.*))?$")]
        private static partial Regex Entry();
    }
}
