namespace Hub.Api.Sse;

/// <summary>Event types the hub itself sends; publishers cannot use the <c>hub.</c> prefix.</summary>
public static class HubEventTypes
{
    /// <summary>A topic's position could not be honoured; the stream continues from the oldest retained event.</summary>
    public const string Reset = "hub.reset";
}
