namespace Hub.Api.Cursors;

/// <summary>Lower-case base 36 for non-negative numbers: the compact, URL- and header-safe digits of cursors.</summary>
public static class Base36
{
    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Encode(ulong value)
    {
        Span<char> buffer = stackalloc char[13];
        var i = buffer.Length;
        do
        {
            buffer[--i] = Digits[(int)(value % 36)];
            value /= 36;
        }
        while (value > 0);
        return new string(buffer[i..]);
    }

    /// <summary>Parses 1–12 base-36 digits (enough for any sequence); false on anything else.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 12)
            return false;
        foreach (var c in text)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
                return false;
            value = value * 36 + digit;
        }
        return true;
    }
}
