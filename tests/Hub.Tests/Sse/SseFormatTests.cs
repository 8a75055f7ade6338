using System.Text;
using Hub.Api.Sse;
using Xunit;

namespace Hub.Tests.Sse;

public class SseFormatTests
{
    private static string Body(string type, string data) => Encoding.UTF8.GetString(SseFormat.EventBody(type, data));

    [Fact]
    public void EventBody_MessageType_OmitsEventLine() =>
        Assert.Equal("data: hello\n\n", Body("message", "hello"));

    [Fact]
    public void EventBody_NamedType_WritesEventLineFirst() =>
        Assert.Equal("event: status\ndata: up\n\n", Body("status", "up"));

    [Theory]
    [InlineData("a\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\r\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\rb", "data: a\ndata: b\n\n")]
    [InlineData("a\n\nb", "data: a\ndata: \ndata: b\n\n")]
    [InlineData("a\n", "data: a\ndata: \n\n")]
    [InlineData("\r\n\r\nid: 99\nevent: evil\nretry: 1", "data: \ndata: \ndata: id: 99\ndata: event: evil\ndata: retry: 1\n\n")]
    public void EventBody_EveryLineBreakStartsANewDataField(string data, string expected) =>
        Assert.Equal(expected, Body("message", data));

    [Theory]
    [InlineData("", "data: \n\n")]
    [InlineData("né 日本\n🎉", "data: né 日本\ndata: 🎉\n\n")]
    public void EventBody_MultiByteAndEmptyData_AreEncodedExactly(string data, string expected) =>
        Assert.Equal(expected, Body("message", data));

    [Fact]
    public void EventBody_MultiByteType_IsEncodedExactly() =>
        Assert.Equal("event: état\ndata: x\n\n", Body("état", "x"));

    [Theory]
    [InlineData("bad\ntype")]
    [InlineData("bad\rtype")]
    public void EventBody_TypeWithLineBreak_IsRefused(string type) =>
        Assert.Throws<ArgumentException>(() => SseFormat.EventBody(type, "x"));

    [Fact]
    public void IdLine_WithLineBreak_IsRefused() =>
        Assert.Throws<ArgumentException>(() => SseFormat.IdLine("a\nb"));

    [Fact]
    public void Retry_And_KeepAlive_AreSpecFields()
    {
        Assert.Equal("retry: 1500\n\n", Encoding.UTF8.GetString(SseFormat.Retry(1500)));
        Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(SseFormat.KeepAlive));
    }

    [Fact]
    public async Task EventBody_RoundTripsThroughAStandardParser()
    {
        var data = "line one\r\nline two\rline three\n{\"json\":true}";
        var bytes = SseFormat.IdLine("c.e:1").Concat(SseFormat.EventBody("news", data)).ToArray();
        var parser = System.Net.ServerSentEvents.SseParser.Create(new MemoryStream(bytes));
        var items = new List<System.Net.ServerSentEvents.SseItem<string>>();
        await foreach (var item in parser.EnumerateAsync())
            items.Add(item);
        var only = Assert.Single(items);
        Assert.Equal("news", only.EventType);
        Assert.Equal("line one\nline two\nline three\n{\"json\":true}", only.Data);
        Assert.Equal("c.e:1", parser.LastEventId);
    }
}
