using System.Security.Cryptography;
using System.Text;
using Hub.Grains.Contracts;

namespace Hub.Grains.Publishing;

/// <summary>
/// A short digest of a publish's content, stored with its idempotency key so a retry (same content) can
/// be told from a different publish that reuses the key. Single and batch publishes of the same event
/// differ: their answers have different shapes.
/// </summary>
public static class PublishFingerprint
{
    /// <summary>The first 128 bits of SHA-256 over the shape, then each type and data, length-prefixed, as 32 hex digits.</summary>
    public static string Of(IReadOnlyList<EventDraft> drafts, bool isBatch)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[4];
        Append(hash, number, isBatch ? -drafts.Count : drafts.Count);
        foreach (var draft in drafts)
        {
            AppendText(hash, number, draft.Type);
            AppendText(hash, number, draft.Data);
            // Only keyed events add to the digest, so a keyless publish keeps the fingerprint it always had.
            if (draft.Key is not null)
            {
                Append(hash, number, -1);
                AppendText(hash, number, draft.Key);
            }
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..16]);
    }

    private static void AppendText(IncrementalHash hash, Span<byte> number, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Append(hash, number, bytes.Length);
        hash.AppendData(bytes);
    }

    private static void Append(IncrementalHash hash, Span<byte> number, int value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, value);
        hash.AppendData(number);
    }
}
