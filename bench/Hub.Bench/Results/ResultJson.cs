using System.Text.Json.Serialization;

namespace Hub.Bench.Results;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScenarioResult))]
[JsonSerializable(typeof(List<ScenarioResult>))]
[JsonSerializable(typeof(Comparison))]
internal sealed partial class ResultJson : JsonSerializerContext;
