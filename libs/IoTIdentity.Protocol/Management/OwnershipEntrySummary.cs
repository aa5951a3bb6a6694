namespace IoTIdentity.Protocol.Management;

/// <summary>One ownership entry as a fleet tool shows it.</summary>
/// <param name="Sequence">Its position.</param>
/// <param name="OwnerTenantId">The owner it records.</param>
/// <param name="NextOwnerTenantId">The owner it hands over to, if any.</param>
/// <param name="At">When.</param>
/// <param name="SignerTenantId">Who signed it.</param>
public sealed record OwnershipEntrySummary(int Sequence, string OwnerTenantId, string? NextOwnerTenantId, DateTimeOffset At, string? SignerTenantId);
