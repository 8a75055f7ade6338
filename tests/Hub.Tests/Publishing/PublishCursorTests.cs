using Hub.Api.Cursors;
using Hub.Api.Publishing;
using Xunit;

namespace Hub.Tests.Publishing;

public class PublishCursorTests
{
    [Theory]
    [InlineData("a", "ep1", 0L)]
    [InlineData("news", "h1tmk8bv", 1L)]
    [InlineData("status.eu-west:blue~2", "0", 35L)]
    [InlineData("x", "abcdefghijklmnopqrstuvwxyz012345", 36L)]
    [InlineData("publish-topic_0099", "k3", long.MaxValue)]
    public void Encode_IsTheGeneralCursorOfAOneTopicSet(string topic, string epoch, long sequence)
    {
        var expected = Cursor.Encode(TopicSet.Of([topic]), [new TopicPosition(epoch, sequence)]);
        Assert.Equal(expected, PublishCursor.Encode(topic, epoch, sequence));
    }

    [Fact]
    public void Encode_IsTheGeneralCursor_ForTheLongestTopicName()
    {
        var topic = new string('t', 128);
        var expected = Cursor.Encode(TopicSet.Of([topic]), [new TopicPosition("ep", 123456789)]);
        Assert.Equal(expected, PublishCursor.Encode(topic, "ep", 123456789));
    }
}
