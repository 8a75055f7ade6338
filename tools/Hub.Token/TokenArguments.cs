using System.Globalization;

namespace Hub.Token;

/// <summary>The command line of <c>Hub.Token</c>, parsed; <see cref="Problem"/> says what is wrong with it.</summary>
public sealed record TokenArguments(string? Key, string? PrivateKeyFile, TokenSpec Spec, string? Problem)
{
    public const string Usage = """
        Prints a hub token (JWT) to standard output.

        Usage: Hub.Token (--key <hmac key> | --private-key <pem file>) [options]

          --key <text>           HMAC key, the same text as the hub's Hub:Auth:SigningKey (HS256)
          --private-key <file>   RSA or ECDSA private key in PEM (RS256 / ES256); the hub gets the public key
          --publish <topics>     comma-separated topics or patterns the token may publish to ('news,status.*')
          --subscribe <topics>   comma-separated topics or patterns the token may read ('*' for all)
          --expires <duration>   lifetime: 90s, 30m, 1h, 7d, or 'never' (default 1h)
          --subject <sub>        the sub claim; publish rate limits are kept per sub
          --issuer <iss>         the iss claim, when the hub sets Hub:Auth:Issuer
          --audience <aud>       the aud claim, when the hub sets Hub:Auth:Audience

        Example: dotnet run --project tools/Hub.Token -- --key "$HUB_KEY" --publish 'news,status.*' --subscribe '*' --expires 1h
        """;

    public static TokenArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
                return Fail("");
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                return Fail($"Unexpected argument '{name}'.");
            values[name[2..]] = args[++i];
        }
        string[] known = ["key", "private-key", "publish", "subscribe", "expires", "subject", "issuer", "audience"];
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            return Fail($"Unknown option --{unknown}.");
        var key = values.GetValueOrDefault("key");
        var privateKey = values.GetValueOrDefault("private-key");
        if ((key is null) == (privateKey is null))
            return Fail("Give exactly one of --key and --private-key.");
        if (!TryParseDuration(values.GetValueOrDefault("expires") ?? "1h", out var lifetime))
            return Fail("--expires takes a duration such as 90s, 30m, 1h, 7d, or 'never'.");
        var spec = new TokenSpec(
            List(values.GetValueOrDefault("publish")),
            List(values.GetValueOrDefault("subscribe")),
            lifetime,
            values.GetValueOrDefault("subject"),
            values.GetValueOrDefault("issuer"),
            values.GetValueOrDefault("audience"));
        return new TokenArguments(key, privateKey, spec, null);
    }

    /// <summary>Parses 90s / 30m / 1h / 7d, or 'never' (null: no exp).</summary>
    public static bool TryParseDuration(string text, out TimeSpan? lifetime)
    {
        ArgumentNullException.ThrowIfNull(text);
        lifetime = null;
        if (text == "never")
            return true;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > 100_000)
            return false;
        lifetime = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
        return lifetime is not null;
    }

    private static string[] List(string? text) =>
        text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static TokenArguments Fail(string problem) => new(null, null, new TokenSpec([], [], null), problem);
}
