namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The last re-attest request of a device and whether the device answered it.</summary>
[GenerateSerializer, Immutable]
public sealed record ReattestView
{
    [Id(0)] public required DateTimeOffset RequestedAt { get; init; }

    [Id(1)] public required ReattestProgress Progress { get; init; }

    /// <summary>When the device answered: the accepted attestation, or the last refused one; null while <see cref="ReattestProgress.Requested"/>.</summary>
    [Id(2)] public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>Why the answer was refused (<c>{error}: {detail}</c>), when <see cref="ReattestProgress.Failed"/>.</summary>
    [Id(3)] public string? Reason { get; init; }
}
