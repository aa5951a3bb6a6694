using System.Text.Json.Serialization;

namespace IoTIdentity.Fleet.Cli.Contexts;

/// <summary>The contents of <c>contexts.json</c>: the named contexts and which one is in use.</summary>
internal sealed record ContextFile
{
    /// <summary>The context used when a command names none; null for none.</summary>
    public string? Current { get; init; }

    /// <summary>The contexts by name.</summary>
    public Dictionary<string, NamedContext> Contexts { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>Source-generated JSON for <see cref="ContextFile"/>.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContextFile))]
internal sealed partial class ContextJson : JsonSerializerContext;
