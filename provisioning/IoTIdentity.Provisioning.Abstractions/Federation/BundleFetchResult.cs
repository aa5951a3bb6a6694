namespace IoTIdentity.Provisioning.Abstractions.Federation;

/// <summary>
/// One fetch of an external trust domain's bundle: the bundle (JSON) when it was taken, else why not; when it was made,
/// and when the next one is due (the refresh hint, bounded and jittered, or the backoff after a failure).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record BundleFetchResult
{
    [Id(0)] public string? Bundle { get; init; }
    [Id(1)] public string? Error { get; init; }
    [Id(2)] public required DateTimeOffset AttemptedAt { get; init; }
    [Id(3)] public required DateTimeOffset NextRefreshAt { get; init; }
    /// <summary>The bundle's <c>spiffe_refresh_hint</c>, in seconds, when it has one.</summary>
    [Id(4)] public int? RefreshHintSeconds { get; init; }
}
