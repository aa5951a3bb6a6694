namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The answer to an operator's re-attest request: what happened, and since when the device owes a fresh attestation.</summary>
[GenerateSerializer, Immutable]
public sealed record ReattestRequest
{
    [Id(0)] public required ReattestOutcome Outcome { get; init; }

    /// <summary>When the request was recorded; an attestation accepted after it fulfils it (null when nothing was asked).</summary>
    [Id(1)] public DateTimeOffset? RequestedAt { get; init; }
}
