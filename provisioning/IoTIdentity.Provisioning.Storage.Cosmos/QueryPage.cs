using System.Text.Json.Serialization;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>One page of a query's stream response.</summary>
internal sealed record QueryPage<T>([property: JsonPropertyName("Documents")] List<T> Documents);
