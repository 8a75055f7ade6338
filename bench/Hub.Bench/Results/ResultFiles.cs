using System.Text.Json;

namespace Hub.Bench.Results;

/// <summary>Writes a result as <c>&lt;prefix&gt;.json</c> and <c>&lt;prefix&gt;.md</c>, and reads result files back.</summary>
public static class ResultFiles
{
    public static async Task WriteAsync(ScenarioResult result, string? prefix)
    {
        ArgumentNullException.ThrowIfNull(result);
        var markdown = Markdown.Of(result);
        Console.WriteLine(markdown);
        if (string.IsNullOrEmpty(prefix))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(prefix))!);
        await File.WriteAllTextAsync(prefix + ".json", JsonSerializer.Serialize(result, ResultJson.Default.ScenarioResult));
        await File.WriteAllTextAsync(prefix + ".md", markdown);
        Console.Error.WriteLine($"Wrote {prefix}.json and {prefix}.md");
    }

    public static async Task<ScenarioResult> ReadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, ResultJson.Default.ScenarioResult)
            ?? throw new InvalidDataException($"{path} holds no result.");
    }
}
