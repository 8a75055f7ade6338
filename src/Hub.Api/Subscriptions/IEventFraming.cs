using System.Buffers;
using Hub.Api.Sse;

namespace Hub.Api.Subscriptions;

/// <summary>
/// How an <see cref="SseConnection"/> writes its feeds' events when it does not speak the hub's native
/// framing (the subscription's cursor as <c>id:</c>, then the shared body): a protocol adapter, such as
/// the Mercure endpoint, that decides per connection which events it receives and frames them with its
/// own ids. The connection's positions still move past every event, written or skipped, so catching up
/// from the ring and the slow-client rules work unchanged.
/// </summary>
public interface IEventFraming
{
    /// <summary>
    /// Writes <paramref name="formatted"/> into <paramref name="output"/> when this connection receives
    /// it; false when it skips it. Called under the connection's lock, on a feed's delivery walk or while
    /// replaying: must not block, and should copy bytes formatted once per node rather than format here.
    /// </summary>
    bool TryWrite(IBufferWriter<byte> output, FormattedEvent formatted);
}
