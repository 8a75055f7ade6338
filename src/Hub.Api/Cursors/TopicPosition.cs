namespace Hub.Api.Cursors;

/// <summary>The last event a client has of one topic: its epoch and sequence (0 = none yet).</summary>
public readonly record struct TopicPosition(string Epoch, long Sequence);
