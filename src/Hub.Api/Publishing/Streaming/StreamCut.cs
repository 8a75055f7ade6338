namespace Hub.Api.Publishing.Streaming;

/// <summary>Why a streamed publish was ended before its body did.</summary>
public enum StreamCut
{
    None = 0,

    /// <summary>No byte from the publisher for <see cref="StreamingPublishOptions.IdleTimeout"/>.</summary>
    IdleTimeout,

    /// <summary>The stream lasted <see cref="StreamingPublishOptions.MaxDuration"/>.</summary>
    MaxDuration,

    /// <summary>The publisher's token expired (its <c>exp</c> plus the accepted clock skew).</summary>
    TokenExpired,

    /// <summary>The node is shutting down.</summary>
    ShuttingDown,

    /// <summary>The publisher closed the connection: nobody is left to answer.</summary>
    ClientGone,
}
