namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// The streamed body broke a rule (a malformed event, a limit): the request ends with
/// <see cref="Status"/> and this message, and the events stored before it stay stored.
/// </summary>
public sealed class StreamRefusedException : Exception
{
    public StreamRefusedException()
    {
    }

    public StreamRefusedException(string message)
        : base(message)
    {
    }

    public StreamRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StreamRefusedException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    public int Status { get; } = StatusCodes.Status400BadRequest;
}
