using System.Text.Json.Serialization.Metadata;

namespace Hub.Api.Http;

/// <summary>
/// <c>201 Created</c> with a <c>Location</c> and a JSON body, written with the hub's source-generated
/// contract. The same bytes as <c>TypedResults.Created</c>, which looks up its JSON options and a logger in
/// the request's services and so opens a DI scope on every publish (~4 % of what a publish allocated;
/// docs/performance.md, eighth pass).
/// </summary>
public sealed class CreatedJson<T>(string location, T value, JsonTypeInfo<T> typeInfo) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    public int? StatusCode => StatusCodes.Status201Created;

    public T? Value => value;

    object? IValueHttpResult.Value => value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status201Created;
        httpContext.Response.Headers.Location = location;
        return httpContext.Response.WriteAsJsonAsync(value, typeInfo, contentType: null, httpContext.RequestAborted);
    }
}
