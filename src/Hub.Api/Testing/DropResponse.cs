namespace Hub.Api.Testing;

/// <summary>The answer of <c>POST /testing/drop</c>: how many SSE connections were ended.</summary>
public sealed record DropResponse(int Dropped);
