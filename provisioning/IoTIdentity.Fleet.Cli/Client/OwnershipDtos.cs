// The ownership document as the CLI summarises it (docs/ownership.md has the whole format).
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>The parts of an ownership document the CLI shows (the file itself is written as the service sent it).</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Entries">The chain's entries.</param>
public sealed record OwnershipDocumentSummary(string DeviceId, IReadOnlyList<OwnershipEntrySummary> Entries);

/// <summary>One ownership entry as the CLI shows it.</summary>
/// <param name="Sequence">Its position.</param>
/// <param name="OwnerTenantId">The owner it records.</param>
/// <param name="NextOwnerTenantId">The owner it hands over to, if any.</param>
/// <param name="At">When.</param>
/// <param name="SignerTenantId">Who signed it.</param>
public sealed record OwnershipEntrySummary(int Sequence, string OwnerTenantId, string? NextOwnerTenantId, DateTimeOffset At, string? SignerTenantId);
