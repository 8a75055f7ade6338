namespace Hub.Api.Subscriptions;

/// <summary>The data of a <c>hub.reset</c> event: which topic, why, and the sequence the stream continues from.</summary>
public sealed record ResetData(string Topic, string Reason, long ResumedFrom);
