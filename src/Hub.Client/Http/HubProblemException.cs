using System.Net;

namespace Hub.Client.Http;

/// <summary>
/// The hub refused a request (a 4xx other than 429): the request itself is wrong, so it is not retried.
/// <see cref="Problem"/> says why.
/// </summary>
public sealed class HubProblemException : Exception
{
    /// <summary>Creates the exception for a refused request.</summary>
    public HubProblemException(HttpStatusCode statusCode, HubProblemDetails problem)
        : base($"The hub answered {(int)statusCode}: {problem?.Detail ?? problem?.Title ?? statusCode.ToString()}")
    {
        StatusCode = statusCode;
        Problem = problem ?? new HubProblemDetails { Status = (int)statusCode };
    }

    /// <summary>Creates an exception with a message only.</summary>
    public HubProblemException() : this(HttpStatusCode.BadRequest, new HubProblemDetails()) { }

    /// <summary>Creates an exception with a message only.</summary>
    public HubProblemException(string message) : base(message) => Problem = new HubProblemDetails { Detail = message };

    /// <summary>Creates an exception with a message and a cause.</summary>
    public HubProblemException(string message, Exception innerException) : base(message, innerException) => Problem = new HubProblemDetails { Detail = message };

    /// <summary>The status code of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem the hub described.</summary>
    public HubProblemDetails Problem { get; }
}
