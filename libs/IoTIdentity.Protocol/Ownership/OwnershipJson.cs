using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.Protocol.Ownership;

/// <summary>The ownership document's JSON: camelCase, required fields enforced, source-generated.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(OwnershipDocument))]
[JsonSerializable(typeof(OwnershipVerification))]
public sealed partial class OwnershipJson : JsonSerializerContext;
