using Hub.Api.Cursors;
using Xunit;

namespace Hub.Tests.Cursors;

public class CursorTests
{
    [Fact]
    public void Encode_Decode_RoundTripsManyTopicsAndEpochs()
    {
        var set = TopicSet.Of(["b", "a", "c", "a"]);
        Assert.Equal(["a", "b", "c"], set.Topics);
        TopicPosition[] positions = [new("ep1", 0), new("ep1", 123456789), new("ep2", 36)];
        var cursor = Cursor.Encode(set, positions);
        Assert.True(Cursor.TryDecode(cursor, set, out var decoded, out var error), error);
        Assert.Equal(positions, decoded);
        Assert.DoesNotContain(cursor, c => char.IsWhiteSpace(c));
    }

    [Fact]
    public void Encode_SharesRepeatedEpochs()
    {
        var set = TopicSet.Of(Enumerable.Range(0, 64).Select(i => $"topic-{i}"));
        var cursor = Cursor.Encode(set, Enumerable.Range(0, 64).Select(i => new TopicPosition("abcdefgh", 1000 + i)).ToArray());
        Assert.True(cursor.Length < 64 * 4 + 20, $"{cursor.Length} characters: {cursor}");
    }

    [Fact]
    public void TopicOrder_DoesNotMatter()
    {
        var a = TopicSet.Of(["x", "y"]);
        var b = TopicSet.Of(["y", "x"]);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData(".")]
    [InlineData("zzz.ep:1")]
    [InlineData("{fp}.")]
    [InlineData("{fp}.:1")]
    [InlineData("{fp}.ep:")]
    [InlineData("{fp}.1")]
    [InlineData("{fp}.EP:1")]
    [InlineData("{fp}.ep:-1")]
    [InlineData("{fp}.ep:1-2")]
    [InlineData("{fp}.ep:1111111111111")]
    [InlineData("{fp}.ep:1 ")]
    public void TryDecode_RejectsGarbage(string template)
    {
        var set = TopicSet.Of(["news"]);
        var cursor = template.Replace("{fp}", set.Fingerprint, StringComparison.Ordinal);
        Assert.False(Cursor.TryDecode(cursor, set, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryDecode_RejectsACursorOfOtherTopics()
    {
        var cursor = Cursor.Encode(TopicSet.Of(["a", "b"]), [new("e", 1), new("e", 2)]);
        Assert.False(Cursor.TryDecode(cursor, TopicSet.Of(["a", "c"]), out _, out var error));
        Assert.Contains("different set of topics", error, StringComparison.Ordinal);
    }

    /// <summary>The sizes the README states, for sequences up to 1.6 million (four base-36 digits).</summary>
    [Theory]
    [InlineData(1, true, 22)]
    [InlineData(8, true, 57)]
    [InlineData(64, true, 337)]
    [InlineData(1, false, 22)]
    [InlineData(8, false, 120)]
    [InlineData(64, false, 904)]
    public void CursorSize_StaysWithinTheDocumentedBound(int topics, bool sharedEpoch, int maxLength)
    {
        var set = TopicSet.Of(Enumerable.Range(0, topics).Select(i => $"topic-{i}"));
        var positions = Enumerable.Range(0, topics)
            .Select(i => new TopicPosition(sharedEpoch ? "k2j9x0qa" : $"e{i:d7}", 1_600_000 + i))
            .ToArray();
        var cursor = Cursor.Encode(set, positions);
        Assert.True(cursor.Length <= maxLength, $"{topics} topics: {cursor.Length} characters");
        Assert.True(Cursor.TryDecode(cursor, set, out var decoded, out _));
        Assert.Equal(positions, decoded);
    }
}
