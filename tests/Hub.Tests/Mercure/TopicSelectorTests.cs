using System.Text.RegularExpressions;
using Hub.Api.Mercure;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.Mercure;

public sealed class TopicSelectorTests
{
    private readonly TopicSelectorCache _cache = new(Options.Create(new MercureOptions()));

    [Theory]
    [InlineData("*", "https://example.com/books/1")]
    [InlineData("*", "anything at all")]
    [InlineData("https://example.com/books/1", "https://example.com/books/1")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/1")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/a-b.c_d~e")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/%C3%A9t%C3%A9")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/1,2")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/{id}")]
    [InlineData("https://example.com/{+path}", "https://example.com/books/1/reviews?page=2")]
    [InlineData("https://example.com/books{#frag}", "https://example.com/books#top/1")]
    [InlineData("https://example.com/books{#frag}", "https://example.com/books")]
    [InlineData("https://example.com{/segments*}", "https://example.com/books/1")]
    [InlineData("https://example.com/books{?page,size}", "https://example.com/books?page=2&size=10")]
    [InlineData("https://example.com/books{.format}", "https://example.com/books.json")]
    [InlineData("https://example.com/{a}/{b:3}", "https://example.com/x/yyy")]
    public void Selector_Matches(string selector, string topic) => Assert.True(_cache.Get(selector).IsMatch(topic));

    [Theory]
    [InlineData("https://example.com/books/1", "https://example.com/books/10")]
    [InlineData("https://example.com/books/1", "HTTPS://example.com/books/1")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/1/reviews")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/a?b")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/100%")]
    [InlineData("https://example.com/books/{id}", "https://example.org/books/1")]
    [InlineData("https://example.com/books/{id}", "xhttps://example.com/books/1")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/1x/")]
    [InlineData("https://example.com/*", "https://example.com/books/1")]
    [InlineData("https://example.com/books{#frag}", "https://example.com/books/1")]
    public void Selector_DoesNotMatch(string selector, string topic) => Assert.False(_cache.Get(selector).IsMatch(topic));

    [Fact]
    public void Star_IsSpecialOnlyAsTheWholeSelector()
    {
        Assert.True(_cache.Get("*").MatchesEverything);
        Assert.False(_cache.Get("books/*").MatchesEverything);
        Assert.True(_cache.Get("books/*").IsMatch("books/*"));
        Assert.False(_cache.Get("books/*").IsMatch("books/1"));
    }

    [Theory]
    [InlineData("https://example.com/{id")]
    [InlineData("https://example.com/id}")]
    [InlineData("https://example.com/{}")]
    [InlineData("https://example.com/{a b}")]
    [InlineData("https://example.com/{a:0}")]
    public void MalformedTemplate_IsComparedAsAPlainString(string selector)
    {
        var compiled = _cache.Get(selector);
        Assert.False(compiled.IsTemplate);
        Assert.True(compiled.IsMatch(selector));
        Assert.False(compiled.IsMatch("https://example.com/1"));
    }

    [Fact]
    public void Templates_AreCompiledOnce_AndWithALinearTimeEngine()
    {
        var first = _cache.Get("https://example.com/books/{id}");
        Assert.Same(first, _cache.Get("https://example.com/books/{id}"));
        var pattern = UriTemplatePattern.ToPattern("https://example.com/books/{id}");
        Assert.NotNull(pattern);
        Assert.True(UriTemplatePattern.TryCompile("https://example.com/books/{id}", out var regex));
        Assert.True(regex!.Options.HasFlag(RegexOptions.NonBacktracking));
    }

    [Fact]
    public void Cache_StartsOverWhenFull()
    {
        var cache = new TopicSelectorCache(Options.Create(new MercureOptions { MaxCachedTemplates = 16 }));
        var first = cache.Get("https://example.com/{n}/0");
        for (var i = 1; i <= 16; i++)
            cache.Get($"https://example.com/{{n}}/{i}");
        Assert.NotSame(first, cache.Get("https://example.com/{n}/0"));
    }

    [Fact]
    public void HostileTemplate_MatchesInLinearTime()
    {
        // A pattern that would make a backtracking engine explode on a near-miss input.
        var selector = _cache.Get(string.Concat(Enumerable.Repeat("{a}{b}", 50)) + "!");
        Assert.False(selector.IsMatch(new string('a', 2_000)));
    }
}
