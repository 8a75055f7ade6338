using System.Text.Json;

namespace Hub.Client.Subscribing;

/// <summary>
/// An event received from the hub. <see cref="Id"/> is the cursor right after it (for every topic of the
/// subscription). <see cref="Topic"/> and <see cref="Sequence"/> are null only when the hub sent a cursor
/// this client cannot read.
/// </summary>
/// <param name="Topic">The event's topic.</param>
/// <param name="Sequence">The event's sequence in its topic.</param>
/// <param name="Type">The event type (<c>message</c> when the hub left it out).</param>
/// <param name="Data">The data as text (JSON text for data published as JSON).</param>
/// <param name="Id">The cursor after this event.</param>
public record HubEvent(string? Topic, long? Sequence, string Type, string Data, string? Id)
{
    /// <summary>Reads <see cref="Data"/> as JSON.</summary>
    public T? DataAs<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(Data, options ?? JsonSerializerOptions.Web);
}

/// <summary>
/// <c>hub.reset</c>: the hub could not resume <see cref="HubEvent.Topic"/> where asked (the cursor was
/// older than the retained history, or the topic's log was lost) and continues from <see cref="ResumedFrom"/>.
/// Events between the old position and <see cref="ResumedFrom"/> are gone for this subscriber.
/// </summary>
/// <param name="Topic">The topic that was reset.</param>
/// <param name="Reason">Why: <c>retention</c>, or <c>epoch</c> when the log was lost.</param>
/// <param name="ResumedFrom">The first sequence the stream continues with.</param>
/// <param name="Data">The event's data as sent.</param>
/// <param name="Id">The cursor after the reset.</param>
public sealed record HubResetEvent(string? Topic, string Reason, long ResumedFrom, string Data, string? Id)
    : HubEvent(Topic, null, ResetType, Data, Id)
{
    /// <summary>The event type the hub gives resets.</summary>
    public const string ResetType = "hub.reset";
}
