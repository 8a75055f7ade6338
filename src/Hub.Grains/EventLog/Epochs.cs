using System.Security.Cryptography;

namespace Hub.Grains.EventLog;

/// <summary>Creates epochs: short, random, cursor-safe strings that name one life of a topic's log.</summary>
public static class Epochs
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Eight base-36 characters: about 41 bits, so two lives of one topic never share an epoch in practice.</summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, 8);
}
