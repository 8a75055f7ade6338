using System.Globalization;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Where a subscription without a cursor starts instead of live (<c>?rewind=</c>, or <c>"rewind"</c> in a
/// <c>POST /subscribe</c> body): the last <see cref="Count"/> events of each topic, the events newer
/// than <see cref="Within"/>, or (<see cref="State"/>) the latest event of every key. A rewind only picks
/// where the stream starts; from there it is an ordinary exact resume, and the replayed events carry
/// their real ids.
/// </summary>
public sealed record Rewind(int Count, TimeSpan Within, bool State = false)
{
    /// <summary>The value that asks for each topic's state.</summary>
    public const string StateValue = "state";

    /// <summary>Each topic's state: the latest event of every key, oldest first.</summary>
    public static readonly Rewind ToState = new(0, TimeSpan.Zero, State: true);

    /// <summary>Most events a count rewind may ask for per topic (never more than are retained).</summary>
    public const int MaxCount = 1_000;

    /// <summary>Longest time rewind: the number before the unit has at most this many digits.</summary>
    private const int MaxDigits = 6;

    /// <summary>The value <c>?rewind=</c> takes, for error messages.</summary>
    public const string Forms = "a number of events (1 to 1000), a duration such as 30s, 5m or 2h, or 'state'";

    /// <summary>True for a time rewind (<see cref="Within"/>).</summary>
    public bool ByTime => Within > TimeSpan.Zero;

    /// <summary>
    /// Parses <paramref name="text"/>: <c>N</c> (1 to <see cref="MaxCount"/> events) or <c>N</c> followed by
    /// <c>s</c>, <c>m</c> or <c>h</c> (events newer than that), or <c>state</c>. Null text is no rewind. On failure
    /// <paramref name="error"/> says what is wrong, in words fit for a 400 response.
    /// </summary>
    public static bool TryParse(string? text, out Rewind? rewind, out string error)
    {
        rewind = null;
        error = "";
        if (text is null)
            return true;
        if (text == StateValue)
        {
            rewind = ToState;
            return true;
        }
        var unit = text.Length > 0 ? text[^1] : '\0';
        var perUnit = unit switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            _ => TimeSpan.Zero,
        };
        var digits = perUnit == TimeSpan.Zero ? text : text[..^1];
        if (digits.Length is 0 or > MaxDigits
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            error = $"'rewind' must be {Forms}.";
            return false;
        }
        if (perUnit != TimeSpan.Zero)
        {
            rewind = new Rewind(0, perUnit * number);
            return true;
        }
        if (number > MaxCount)
        {
            error = $"'rewind' may ask for at most {MaxCount} events.";
            return false;
        }
        rewind = new Rewind(number, TimeSpan.Zero);
        return true;
    }
}
