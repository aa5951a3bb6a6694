namespace IoTIdentity.Fleet.Cli.Contexts;

/// <summary>A saved service and the key to call it with, as <c>iotid context add</c> stored it.</summary>
/// <param name="Url">The service's HTTP API.</param>
/// <param name="Key">The API key (tenant or service administrator); null to call the public routes only.</param>
internal sealed record NamedContext(string Url, string? Key);
