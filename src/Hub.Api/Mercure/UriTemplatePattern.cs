using System.Text;
using System.Text.RegularExpressions;

namespace Hub.Api.Mercure;

/// <summary>
/// Turns an RFC 6570 URI template into a regular expression that matches every URI the template can
/// expand to, the way Mercure's hub matches template selectors (it uses the template's regexp, not an
/// expansion): every <c>{…}</c> expression may also expand to nothing (an undefined variable). What an
/// expression matches depends on its operator (RFC 6570 §3.2): <c>{var}</c> unreserved characters,
/// commas and <c>%XX</c>, never a <c>/</c>; <c>{+var}</c> and <c>{#var}</c> reserved characters too;
/// <c>{.var}</c>, <c>{/var}</c>, <c>{;var}</c>, <c>{?var}</c> and <c>{&amp;var}</c> their prefix and
/// separator followed by unreserved text. Literal text matches itself.
/// <para>
/// The expression is compiled with <see cref="RegexOptions.NonBacktracking"/>: matching is linear in
/// the topic's length whatever a subscriber's template looks like, so a hostile selector cannot stall
/// the delivery walk that evaluates it.
/// </para>
/// </summary>
public static class UriTemplatePattern
{
    private const string Pct = "%[0-9A-Fa-f]{2}";
    private const string Unreserved = @"A-Za-z0-9\-._~";
    private const string Reserved = @":/?#\[\]@!$&'()*+,;=";

    private static readonly string SimpleValue = $"(?:[{Unreserved},]|{Pct})*";
    private static readonly string ReservedValue = $"(?:[{Unreserved}{Reserved}]|{Pct})*";
    private static readonly string NamedValue = $"(?:[{Unreserved},=]|{Pct})*";

    /// <summary>True when <paramref name="selector"/> looks like a template (has a <c>{</c>) and parses as one.</summary>
    public static bool TryCompile(string selector, out Regex? regex)
    {
        ArgumentNullException.ThrowIfNull(selector);
        regex = null;
        if (!selector.Contains('{', StringComparison.Ordinal) || ToPattern(selector) is not { } pattern)
            return false;
        regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.Singleline);
        return true;
    }

    /// <summary>The anchored pattern of <paramref name="template"/>, or null when it is not a valid template (Mercure then compares it as a plain string).</summary>
    internal static string? ToPattern(string template)
    {
        var sb = new StringBuilder("^");
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOfAny(['{', '}'], i);
            if (open < 0)
            {
                sb.Append(Regex.Escape(template[i..]));
                break;
            }
            if (template[open] == '}')
                return null;
            sb.Append(Regex.Escape(template[i..open]));
            var close = template.IndexOf('}', open + 1);
            if (close < 0)
                return null;
            if (Expression(template.AsSpan(open + 1, close - open - 1)) is not { } expression)
                return null;
            sb.Append(expression);
            i = close + 1;
        }
        return sb.Append('$').ToString();
    }

    /// <summary>The pattern of one expression's body (between the braces), or null when it is malformed.</summary>
    private static string? Expression(ReadOnlySpan<char> body)
    {
        if (body.IsEmpty)
            return null;
        var op = body[0] is '+' or '#' or '.' or '/' or ';' or '?' or '&' ? body[0] : '\0';
        if (!IsVariableList(op == '\0' ? body : body[1..]))
            return null;
        return op switch
        {
            '\0' => SimpleValue,
            '+' => ReservedValue,
            '#' => $"(?:#{ReservedValue})?",
            '.' => $@"(?:\.{SimpleValue})*",
            '/' => $"(?:/{SimpleValue})*",
            ';' => $"(?:;{NamedValue})*",
            '?' => $@"(?:\?{NamedValue}(?:&{NamedValue})*)?",
            _ => $"(?:&{NamedValue})*",
        };
    }

    /// <summary>RFC 6570 §2.3: comma-separated varnames (ALPHA, DIGIT, _, %XX, inner dots), each with an optional <c>*</c> or <c>:N</c>.</summary>
    private static bool IsVariableList(ReadOnlySpan<char> list)
    {
        foreach (var range in list.Split(','))
        {
            var spec = list[range];
            var colon = spec.IndexOf(':');
            if (colon >= 0)
            {
                var length = spec[(colon + 1)..];
                if (length.IsEmpty || length.Length > 4 || length[0] == '0' || length.ContainsAnyExceptInRange('0', '9'))
                    return false;
                spec = spec[..colon];
            }
            else if (spec.EndsWith("*"))
            {
                spec = spec[..^1];
            }
            if (spec.IsEmpty || spec[0] == '.' || spec[^1] == '.')
                return false;
            for (var k = 0; k < spec.Length; k++)
            {
                var c = spec[k];
                if (c == '%')
                {
                    if (k + 2 >= spec.Length || !char.IsAsciiHexDigit(spec[k + 1]) || !char.IsAsciiHexDigit(spec[k + 2]))
                        return false;
                    k += 2;
                }
                else if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '.')
                {
                    return false;
                }
            }
        }
        return true;
    }
}
