using System.Text.Json.Serialization;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The data of a <c>hub.reset</c> event: which topic, why, and the sequence the stream continues from.
/// <see cref="State"/> is set on a keyed topic: that many state events (the latest of every key, oldest
/// first) follow the reset, and then the stream continues from <see cref="ResumedFrom"/>.
/// </summary>
public sealed record ResetData(
    string Topic,
    string Reason,
    long ResumedFrom,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? State = null);
