using System.Text.Json;
using System.Text.Json.Serialization;

namespace VersionStore.Distributed.Internal;

/// <summary>Source-generated (trimming- and NativeAOT-safe) JSON reading of <see cref="DistributedStoreOptions"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(CamelCaseModeConverter)])]
[JsonSerializable(typeof(DistributedStoreOptions))]
internal sealed partial class DistributedOptionsJson : JsonSerializerContext;

/// <summary>Deployment modes as camelCase strings.</summary>
internal sealed class CamelCaseModeConverter() : JsonStringEnumConverter<DeploymentMode>(JsonNamingPolicy.CamelCase);
