using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hub.Bench.Results;

/// <summary>
/// Several results side by side (<c>Hub.Bench report</c>): one table, a column per label (hub, hub-cluster,
/// nchan) and the ratio Hub/nchan for each metric, then every run's own table.
/// </summary>
public sealed class Comparison
{
    public DateTimeOffset At { get; init; } = DateTimeOffset.Now;

    public int Cores { get; init; } = Environment.ProcessorCount;

    public List<string> Notes { get; init; } = [];

    public List<ScenarioResult> Results { get; init; } = [];

    public string ToMarkdown()
    {
        var labels = Results.Select(r => r.Label).Distinct().OrderBy(l => l == "nchan" ? 1 : 0).ThenBy(l => l, StringComparer.Ordinal).ToList();
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"| Scenario | Metric | {string.Join(" | ", labels)} | Hub/nchan |\n");
        md.Append("|---|---|").Append(string.Concat(labels.Select(_ => "---:|"))).Append("---:|\n");
        foreach (var scenario in Results.GroupBy(r => r.Scenario))
        {
            var byLabel = scenario.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Last());
            var metrics = scenario.SelectMany(r => r.Metrics).Select(m => m.Name).Distinct();
            foreach (var name in metrics)
            {
                var values = labels.Select(l => byLabel.TryGetValue(l, out var r) ? r.Metrics.FirstOrDefault(m => m.Name == name) : null).ToList();
                var unit = values.FirstOrDefault(v => v is not null)?.Unit ?? "";
                md.Append(CultureInfo.InvariantCulture, $"| {scenario.Key} | {name}{(unit.Length > 0 ? $" ({unit})" : "")} | ");
                md.Append(string.Join(" | ", values.Select(v => v is null ? "–" : Markdown.Format(v.Value))));
                md.Append(" | ").Append(Ratio(byLabel, name)).Append(" |\n");
            }
        }
        foreach (var note in Notes)
            md.Append("\n- ").Append(note);
        md.Append("\n\n## Runs\n\n");
        foreach (var result in Results)
            md.Append(Markdown.Of(result)).Append('\n');
        return md.ToString();
    }

    /// <summary>Hub (embedded, else cluster) divided by nchan; blank where it means nothing (zero counts).</summary>
    private static string Ratio(Dictionary<string, ScenarioResult> byLabel, string name)
    {
        var hub = (byLabel.GetValueOrDefault("hub") ?? byLabel.GetValueOrDefault("hub-cluster"))?.Metrics.FirstOrDefault(m => m.Name == name);
        var nchan = byLabel.GetValueOrDefault("nchan")?.Metrics.FirstOrDefault(m => m.Name == name);
        if (hub is null || nchan is null || nchan.Value == 0 || hub.Goal == "zero")
            return "";
        return (hub.Value / nchan.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> files, string prefix, IReadOnlyList<string> notes)
    {
        var results = new List<ScenarioResult>();
        foreach (var file in files)
            results.Add(await ResultFiles.ReadAsync(file));
        var comparison = new Comparison { Results = results, Notes = [.. notes] };
        var markdown = $"# Hub vs nchan, {comparison.At:yyyy-MM-dd}, {comparison.Cores} cores\n\n" + comparison.ToMarkdown();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(prefix))!);
        await File.WriteAllTextAsync(prefix + ".md", markdown);
        await File.WriteAllTextAsync(prefix + ".json", JsonSerializer.Serialize(comparison, ResultJson.Default.Comparison));
        Console.Error.WriteLine($"Wrote {prefix}.md and {prefix}.json");
        return 0;
    }
}
