using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.DeviceAgent.State;

/// <summary>The agent's own JSON (state metadata and <c>status --json</c>): camelCase, indented, source-generated.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IdentityMetadata))]
[JsonSerializable(typeof(AgentStatus))]
[JsonSerializable(typeof(LocalTokenRequest))]
[JsonSerializable(typeof(LocalTokenReply))]
internal sealed partial class AgentJson : JsonSerializerContext;
