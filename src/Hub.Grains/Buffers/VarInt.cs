namespace Hub.Grains.Buffers;

/// <summary>A non-negative length in 7-bit groups, low first (one byte below 128), as in protobuf.</summary>
public static class VarInt
{
    public static int Size(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var size = 1;
        for (var rest = (uint)value >> 7; rest != 0; rest >>= 7)
            size++;
        return size;
    }

    public static int Write(Span<byte> destination, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var at = 0;
        var rest = (uint)value;
        while (rest >= 0x80)
        {
            destination[at++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[at++] = (byte)rest;
        return at;
    }

    public static int Read(ReadOnlySpan<byte> source, out int value)
    {
        uint result = 0;
        for (int at = 0, shift = 0; ; at++, shift += 7)
        {
            var b = source[at];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                value = (int)result;
                return at + 1;
            }
        }
    }
}
