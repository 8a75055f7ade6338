using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// Selectors compiled once per node and shared: thousands of browsers subscribe with the same few
/// templates, and building a non-backtracking automaton costs far more than matching with it. Bounded:
/// past <see cref="MercureOptions.MaxCachedTemplates"/> entries it starts over, so a client cycling
/// through endless selectors costs compilation time, not memory for good.
/// </summary>
public sealed class TopicSelectorCache(IOptions<MercureOptions> options)
{
    private readonly ConcurrentDictionary<string, TopicSelector> _selectors = new(StringComparer.Ordinal);
    private readonly int _max = options.Value.MaxCachedTemplates;

    public TopicSelector Get(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_selectors.TryGetValue(text, out var selector))
            return selector;
        if (_selectors.Count >= _max)
            _selectors.Clear();
        return _selectors.GetOrAdd(text, static t => new TopicSelector(t));
    }

    /// <summary>The selectors of <paramref name="texts"/>, in order.</summary>
    public TopicSelector[] GetAll(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return [.. texts.Select(Get)];
    }
}
