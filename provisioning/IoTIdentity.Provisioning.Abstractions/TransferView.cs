namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A transfer as either side's API shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferView
{
    [Id(0)] public required string TransferId { get; init; }
    [Id(1)] public required string SourceTenantId { get; init; }
    [Id(2)] public required string TargetTenantId { get; init; }
    [Id(3)] public required TransferStatus State { get; init; }
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(6)] public DateTimeOffset? AcceptedAt { get; init; }
    [Id(7)] public DateTimeOffset? CompletedAt { get; init; }
    /// <summary><c>acceptance</c> or <c>reenrollment</c>: when the old owner's certificates are revoked.</summary>
    [Id(8)] public required string RevokeOldCertificateAt { get; init; }
    [Id(9)] public string? GroupId { get; init; }
    [Id(10)] public required IReadOnlyList<TransferDeviceProgress> Devices { get; init; }
    [Id(11)] public required TransferCounts Counts { get; init; }
}
