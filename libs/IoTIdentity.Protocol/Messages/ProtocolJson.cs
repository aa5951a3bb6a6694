using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.Protocol.Messages;

/// <summary>The protocol's JSON: camelCase, enums as strings, byte arrays as base64, source-generated.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(ChallengeResponse))]
[JsonSerializable(typeof(AttestRequest))]
[JsonSerializable(typeof(IssuedResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(CertificateTokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
public sealed partial class ProtocolJson : JsonSerializerContext;
