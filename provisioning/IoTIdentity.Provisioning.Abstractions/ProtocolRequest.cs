namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// A device's protocol request as the edge decoded it (<see cref="Message"/>), with the bytes it arrived as, which
/// are the audit log's evidence of what the device sent.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProtocolRequest<T>(
    [property: Id(0)] T Message,
    [property: Id(1)] byte[] Evidence,
    [property: Id(2)] string? RemoteAddress) where T : class;
