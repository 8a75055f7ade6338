using System.ComponentModel.DataAnnotations;
using Hub.Grains.EventLog;
using Xunit;

namespace Hub.Tests.EventLog;

public sealed class RetentionOptionsTests
{
    private static RetentionOptions WithRules() => new()
    {
        MaxEventsPerTopic = 1_000,
        MaxAge = TimeSpan.FromDays(1),
        Topics =
        {
            ["*"] = new TopicRetention { MaxEvents = 50 },
            ["chat.*"] = new TopicRetention { MaxEvents = 10_000, MaxAge = TimeSpan.FromHours(1) },
            ["chat.vip.*"] = new TopicRetention { MaxEvents = 20_000 },
            ["chat.vip.7"] = new TopicRetention { MaxAge = TimeSpan.FromDays(30) },
        },
    };

    [Theory]
    [InlineData("news", 50, 24)]
    [InlineData("chat.42", 10_000, 1)]
    [InlineData("chat.vip.1", 20_000, 24)]
    [InlineData("chat.vip.7", 1_000, 720)]
    public void For_ExactNameWins_ThenTheLongestMatchingPattern_UnsetLimitsAreHubWide(string topic, int maxEvents, int maxAgeHours)
    {
        Assert.Equal(new RetentionLimits(maxEvents, TimeSpan.FromHours(maxAgeHours)), WithRules().For(topic));
    }

    [Fact]
    public void For_InternalTopics_AreNeverMatchedByPatterns()
    {
        var options = WithRules();

        Assert.Equal(options.MaxEventsPerInternalTopic, options.For("~mercure").MaxEvents);
    }

    [Theory]
    [InlineData("bad topic", null, "not a topic pattern")]
    [InlineData("chat.*", 0, "MaxEvents")]
    public void Validate_NamesTheBadPatternOrLimit(string pattern, int? maxEvents, string expected)
    {
        var options = new RetentionOptions { Topics = { [pattern] = new TopicRetention { MaxEvents = maxEvents } } };

        var results = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.ErrorMessage!.Contains(expected, StringComparison.Ordinal) && r.ErrorMessage.Contains(pattern, StringComparison.Ordinal));
    }
}
