using System.Text;

namespace Hub.Api.Cursors;

/// <summary>
/// The topics of one subscription: distinct, in ordinal order (so a cursor lists them in a fixed order),
/// with a short fingerprint that a cursor carries to prove it belongs to this set.
/// </summary>
public sealed class TopicSet
{
    private TopicSet(string[] topics)
    {
        Topics = topics;
        Fingerprint = ComputeFingerprint(topics);
    }

    public IReadOnlyList<string> Topics { get; }

    /// <summary>FNV-1a (32 bit) of the topic names in base 36: cheap, stable across processes and versions.</summary>
    public string Fingerprint { get; }

    public int Count => Topics.Count;

    public static TopicSet Of(IEnumerable<string> topics) =>
        new(topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    public int IndexOf(string topic)
    {
        for (var i = 0; i < Topics.Count; i++)
            if (string.Equals(Topics[i], topic, StringComparison.Ordinal))
                return i;
        return -1;
    }

    private static string ComputeFingerprint(string[] topics)
    {
        var hash = 2166136261u;
        foreach (var topic in topics)
        {
            foreach (var b in Encoding.UTF8.GetBytes(topic))
                hash = (hash ^ b) * 16777619u;
            hash = (hash ^ '\n') * 16777619u;
        }
        return Base36.Encode(hash);
    }
}
