using System.Globalization;

namespace Hub.Bench.Cli;

/// <summary>
/// The command line: a command word, then <c>--name value</c> pairs and bare <c>--flag</c>s. Every getter
/// states its default, so <c>--help</c> and the code cannot disagree about what an unset option means.
/// </summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    private BenchArgs(string command, List<string> positional)
    {
        Command = command;
        Positional = positional;
    }

    public string Command { get; }

    /// <summary>Arguments that are not options (the result files of <c>report</c>).</summary>
    public IReadOnlyList<string> Positional { get; }

    public static BenchArgs Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "help";
        var positional = new List<string>();
        var parsed = new BenchArgs(command, positional);
        for (var i = command == "help" ? 0 : 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }
            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            if (!parsed._options.TryGetValue(name, out var values))
                parsed._options[name] = values = [];
            values.Add(value ?? "");
        }
        return parsed;
    }

    public bool Has(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public string Text(string name, string fallback) => Get(name) ?? fallback;

    public string? OptionalString(string name) => Get(name);

    public int Whole(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Number(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> List(string name) =>
        Get(name) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    /// <summary>Every value of an option that may be repeated (<c>--note a --note b</c>), each taken whole.</summary>
    public IReadOnlyList<string> All(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var values) ? values : [];
    }

    /// <summary>Options given but never read: almost always a typo, which would silently run the wrong benchmark.</summary>
    public IEnumerable<string> Unused() => _options.Keys.Where(k => !_used.Contains(k));

    private string? Get(string name)
    {
        _used.Add(name);
        // A bare flag has the value ""; the last of a repeated option wins.
        return _options.TryGetValue(name, out var values) ? values[^1] : null;
    }
}
