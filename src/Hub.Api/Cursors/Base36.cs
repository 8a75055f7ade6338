namespace Hub.Api.Cursors;

/// <summary>Lower-case base 36 for non-negative numbers: the compact, URL- and header-safe digits of cursors.</summary>
public static class Base36
{
    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Digits of the largest value (<see cref="ulong.MaxValue"/>).</summary>
    public const int MaxDigits = 13;

    public static string Encode(ulong value)
    {
        Span<byte> buffer = stackalloc byte[MaxDigits];
        return System.Text.Encoding.ASCII.GetString(buffer[..Write(buffer, value)]);
    }

    /// <summary>Writes the digits as ASCII at the start of <paramref name="destination"/>; returns how many.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        Span<byte> digits = stackalloc byte[MaxDigits];
        var i = digits.Length;
        do
        {
            digits[--i] = (byte)Digits[(int)(value % 36)];
            value /= 36;
        }
        while (value > 0);
        digits[i..].CopyTo(destination);
        return MaxDigits - i;
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
