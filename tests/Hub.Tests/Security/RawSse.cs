using System.Net.Http.Headers;
using System.Text;

namespace Hub.Tests.Security;

/// <summary>Reads an SSE response as raw bytes, for assertions a parser would hide.</summary>
public static class RawSse
{
    /// <summary>The stream's text from the start until <paramref name="marker"/> has been received.</summary>
    public static async Task<string> ReadUntilAsync(HttpResponseMessage response, string marker, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var cts = new CancellationTokenSource(timeout);
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        var bytes = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await body.ReadAsync(buffer, cts.Token);
            if (read == 0)
                throw new InvalidOperationException("The stream ended before the marker arrived.");
            bytes.Write(buffer, 0, read);
            var text = Encoding.UTF8.GetString(bytes.ToArray());
            if (text.Contains(marker, StringComparison.Ordinal))
                return text;
        }
    }

    public static HttpRequestMessage Subscribe(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }
}
