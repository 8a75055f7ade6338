using System.Text.Json;
using Hub.Client.Subscribing;

namespace Hub.Client.History;

/// <summary>Reads the hub's history JSON (<c>{"topic","epoch","head","oldest","events":[…],"reset"}</c>).</summary>
internal static class HistoryPages
{
    public static HistoryPage Read(JsonElement root, long after)
    {
        var topic = root.GetProperty("topic").GetString()!;
        var events = new List<HubEvent>();
        foreach (var e in root.GetProperty("events").EnumerateArray())
        {
            events.Add(new HubEvent(topic, e.GetProperty("sequence").GetInt64(), e.GetProperty("type").GetString()!,
                e.GetProperty("data").GetString()!, e.GetProperty("id").GetString()));
        }
        HubResetEvent? reset = null;
        if (root.TryGetProperty("reset", out var r) && r.ValueKind == JsonValueKind.Object)
        {
            reset = new HubResetEvent(r.GetProperty("topic").GetString(), r.GetProperty("reason").GetString()!,
                r.GetProperty("resumedFrom").GetInt64(), r.GetRawText(), null);
        }
        return new HistoryPage(topic, root.GetProperty("epoch").GetString()!, root.GetProperty("head").GetInt64(),
            root.GetProperty("oldest").GetInt64(), events, reset)
        {
            NextAfter = events.Count > 0 ? events[^1].Sequence!.Value : after,
        };
    }
}
