using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A revoked certificate on the tenant's CRL.</summary>
[GenerateSerializer, Immutable]
public sealed record RevocationRecord
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required DateTimeOffset RevokedAt { get; init; }
    [Id(2)] public required int Reason { get; init; }
    [Id(3)] public string? DeviceId { get; init; }

    /// <summary>The records revoking <paramref name="serialNumbers"/> of <paramref name="deviceId"/> at <paramref name="at"/> for <paramref name="reason"/>.</summary>
    public static List<RevocationRecord> For(string deviceId, IEnumerable<string> serialNumbers, CrlReason reason, DateTimeOffset at) =>
        serialNumbers.Select(s => new RevocationRecord { SerialNumber = s, RevokedAt = at, Reason = (int)reason, DeviceId = deviceId }).ToList();
}
