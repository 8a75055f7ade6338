using System.Globalization;
using System.Text;

namespace Hub.Bench.Results;

/// <summary>Markdown tables for results and comparisons.</summary>
public static class Markdown
{
    public static string Format(double value) => value switch
    {
        0 => "0",
        _ when Math.Abs(value) >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        _ when Math.Abs(value) >= 10 => value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    public static string Of(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"### {result.Scenario} — {result.Label}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{result.At:yyyy-MM-dd HH:mm}, {result.Cores} cores, load {result.LoadAverage}; ");
        md.Append(string.Join(", ", result.Parameters.Select(p => $"{p.Key} {p.Value}"))).Append("\n\n");
        md.Append("| Metric | Value | Unit |\n|---|---:|---|\n");
        foreach (var m in result.Metrics)
            md.Append(CultureInfo.InvariantCulture, $"| {m.Name} | {Format(m.Value)} | {m.Unit} |\n");
        if (result.Steps.Count > 0)
        {
            var columns = result.Steps[0].Keys.ToList();
            md.Append("\n| ").Append(string.Join(" | ", columns)).Append(" |\n|");
            md.Append(string.Concat(columns.Select(_ => "---:|"))).Append('\n');
            foreach (var step in result.Steps)
                md.Append("| ").Append(string.Join(" | ", columns.Select(c => Format(step.GetValueOrDefault(c))))).Append(" |\n");
        }
        foreach (var note in result.Notes)
            md.Append("\n- ").Append(note);
        return md.Append('\n').ToString();
    }
}
