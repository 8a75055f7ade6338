using System.Text.Json.Serialization;
using Hub.Api.Diagnostics;
using Hub.Api.Publishing;
using Hub.Api.Subscriptions;
using Hub.Api.Testing;
using Hub.Api.Topics;

namespace Hub.Api.Http;

/// <summary>Source-generated JSON for everything the hub writes: camelCase, as the wire contract shows.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ResetData))]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(PublishResponse[]))]
[JsonSerializable(typeof(Hub.Api.Publishing.Streaming.StreamPublishResponse))]
[JsonSerializable(typeof(TopicInfoResponse))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(StateResponse))]
[JsonSerializable(typeof(SubscribeRequest))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(DropResponse))]
public sealed partial class HubJsonContext : JsonSerializerContext;
