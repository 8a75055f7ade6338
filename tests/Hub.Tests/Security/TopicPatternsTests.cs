using Hub.Api.Security;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Security;

public sealed class TopicPatternsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("news", "news", true)]
    [InlineData("news", "news2", false)]
    [InlineData("*", "anything.at:all", true)]
    [InlineData("status.*", "status.eu", true)]
    [InlineData("status.*", "status.eu.db", true)]
    [InlineData("status.*", "status", false)]
    [InlineData("status.*", "statusx", false)]
    [InlineData("*.private", "team.private", true)]
    [InlineData("*.private", "team.private.not", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    public void Matches_FollowsGlobRules(string pattern, string topic, bool expected) =>
        Assert.Equal(expected, TopicPatterns.Matches(pattern, topic));

    [Fact]
    public void Matches_HostilePattern_StaysFast()
    {
        var pattern = string.Concat(Enumerable.Repeat("a*", 60)) + "b";
        var topic = new string('a', 128);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(TopicPatterns.Matches(pattern, topic));
        output.WriteLine($"60 stars against 128 characters: {watch.Elapsed.TotalMilliseconds:0.000} ms");
        // A backtracking matcher would take longer than anyone waits (its steps grow as 128 choose 60); a linear
        // one, microseconds. The bound only tells the two apart, on however loaded a machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Patterns_AcceptCommaSeparatedEntries()
    {
        var patterns = new TopicPatterns(["news, status.*", null, " "]);
        Assert.True(patterns.IsMatch("news"));
        Assert.True(patterns.IsMatch("status.x"));
        Assert.False(patterns.IsMatch("other"));
    }

    [Theory]
    [InlineData("""{"publish":["a"],"subscribe":"b"}""", "a", "b")]
    [InlineData("""{"publish":"*"}""", "x", null)]
    public void Grants_ReadArraysOrSingleStrings(string claim, string? publishes, string? subscribes)
    {
        var grants = TopicGrants.Parse(claim);
        Assert.Equal(publishes is not null, publishes is not null && grants.Publish.IsMatch(publishes));
        Assert.Equal(subscribes is not null, subscribes is not null && grants.Subscribe.IsMatch(subscribes));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[\"*\"]")]
    [InlineData("""{"publish":[1,{"a":2}],"subscribe":null}""")]
    public void Grants_MalformedClaim_GrantsNothing(string claim)
    {
        var grants = TopicGrants.Parse(claim);
        Assert.True(grants.Publish.IsEmpty);
        Assert.True(grants.Subscribe.IsEmpty);
    }
}
