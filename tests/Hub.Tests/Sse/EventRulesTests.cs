using Hub.Grains.Contracts;
using Xunit;

namespace Hub.Tests.Sse;

public class EventRulesTests
{
    [Theory]
    [InlineData("news")]
    [InlineData("status.eu-west_1:db~primary")]
    [InlineData("A")]
    public void CheckTopic_AcceptsContractNames(string topic) => Assert.Null(EventRules.CheckTopic(topic));

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("a b")]
    [InlineData("caf\u00e9")]
    [InlineData("a%2Fb")]
    [InlineData("new\nline")]
    public void CheckTopic_RejectsOthers(string topic) => Assert.NotNull(EventRules.CheckTopic(topic));

    [Fact]
    public void CheckTopic_RejectsOverlongNames()
    {
        Assert.Null(EventRules.CheckTopic(new string('a', 128)));
        Assert.NotNull(EventRules.CheckTopic(new string('a', 129)));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("news.breaking-1_2")]
    public void CheckType_AcceptsContractTypes(string type) => Assert.Null(EventRules.CheckType(type));

    [Theory]
    [InlineData("")]
    [InlineData("hub.reset")]
    [InlineData("a\nid: 5")]
    [InlineData("a\rb")]
    [InlineData("with:colon")]
    [InlineData("sp ace")]
    public void CheckType_RejectsReservedAndInjectableTypes(string type) => Assert.NotNull(EventRules.CheckType(type));

    [Fact]
    public void CheckData_EnforcesUtf8SizeNulAndSurrogates()
    {
        Assert.Null(EventRules.CheckData("ok", 10));
        Assert.NotNull(EventRules.CheckData("", 10));
        Assert.NotNull(EventRules.CheckData("a\0b", 10));
        Assert.NotNull(EventRules.CheckData("\ud800", 10));
        Assert.Null(EventRules.CheckData(new string('x', 10), 10));
        Assert.NotNull(EventRules.CheckData(new string('x', 11), 10));
        Assert.NotNull(EventRules.CheckData("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 10)); // 12 bytes in UTF-8
    }
}
