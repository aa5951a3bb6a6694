using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// A refusal, travelling up as a value: the reason code the peer sees, a detail for the logs (never sent to the peer),
/// and, for a transient reason, how many seconds to wait before retrying.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Refusal(
    [property: Id(0)] ProvisioningError Error,
    [property: Id(1)] string Detail,
    [property: Id(2)] int? RetryAfterSeconds = null);
