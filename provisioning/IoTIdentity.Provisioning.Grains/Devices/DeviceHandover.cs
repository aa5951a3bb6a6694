using System.Collections.Immutable;
using System.Text.Json;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The device's side of an ownership transfer. The device's single activation serializes it with enrolment and
/// rotation, which gives the concurrency rule: acceptance discards any open challenge of the old owner and from then
/// on a renewal is refused (the agent enrols again, for the new owner); every certificate issued under the old owner —
/// one a rotation issued just before acceptance included — is revoked at the cut-off, so the device ends with one
/// owner and one valid certificate, the new owner's. Also keeps the device's ownership record.
/// </summary>
public sealed class DeviceHandover(IGrainFactory grains, IProvisioningStore store, DeviceLedger ledger, DeviceCommandPublisher commands,
    Revocations revocations, TimeProvider clock)
{
    /// <summary>How old a kept re-enrol command may be before a re-delivery signs a fresh one (devices refuse stale commands).</summary>
    private static readonly TimeSpan CommandRefresh = DeviceCommands.MaxAge / 2;

    /// <summary>How long after re-enrolment the old session is closed, so the reply with the new certificate goes out first.</summary>
    private static readonly TimeSpan CloseAfterReenrolment = TimeSpan.FromSeconds(2);

    /// <summary>Holds the device for an open transfer of <paramref name="sourceTenantId"/> until it is accepted, cancelled or expires.</summary>
    public async Task<TransferReservationResult> ReserveAsync(DeviceContext device, string sourceTenantId, string transferId, DateTimeOffset expiresAt)
    {
        var s = device.State;
        if (s.TenantId != sourceTenantId || s.Status == DeviceStatus.Unknown && s.Current is null) return TransferReservationResult.NotFound;
        if (s.Reservation?.TransferId == transferId) return TransferReservationResult.Reserved;
        var held = s.Reservation is { } other && other.ExpiresAt > clock.GetUtcNow();
        if (held || s.Current is null || s.Status is DeviceStatus.Transferring or DeviceStatus.Revoked or DeviceStatus.Disabled)
            return TransferReservationResult.Conflict;
        await ledger.RecordAsync(device, s with { Reservation = new TransferReservation(transferId, expiresAt) }, inventory: false);
        return TransferReservationResult.Reserved;
    }

    /// <summary>Releases the hold of a cancelled or expired transfer (nothing else about the device changes).</summary>
    public async Task ReleaseAsync(DeviceContext device, string transferId)
    {
        if (device.State.Reservation?.TransferId != transferId) return;
        await ledger.RecordAsync(device, device.State with { Reservation = null }, inventory: false);
    }

    /// <summary>
    /// Acceptance: appends the signed hand-over to the ownership record, makes the target the owner (status
    /// Transferring), cuts the old owner off if the policy says so, and sends the signed re-enrol command.
    /// </summary>
    public async Task<TransferDeviceOutcome> BeginAsync(DeviceContext device, TransferOrder order)
    {
        var s = device.State;
        if (s.Transfer?.TransferId == order.TransferId) return new TransferDeviceOutcome(TransferDeviceState.CommandSent, null);   // a retried acceptance
        if (s.Reservation?.TransferId != order.TransferId || s.TenantId != order.SourceTenantId)
            return new TransferDeviceOutcome(TransferDeviceState.Failed, "the device is no longer held for this transfer");
        if (s.Status is DeviceStatus.Revoked or DeviceStatus.Disabled || s.Current is null)
        {
            // disabled or revoked by its owner while the transfer was pending: it stays with its owner, free again
            await ReleaseAsync(device, order.TransferId);
            return new TransferDeviceOutcome(TransferDeviceState.Failed, $"the device is {s.Status}");
        }

        // 1. the signed hand-over A → B, by A's ownership key, appended to the chain
        var now = clock.GetUtcNow();
        var chain = Entries(s.OwnershipChain ?? await GenesisChainAsync(device.DeviceId, order.SourceTenantId, s.EnrolledAt ?? now));
        var handover = await OwnershipEntries.AppendAsync(chain, device.DeviceId, order.SourceTenantId, order.TargetTenantId, now, SignerOf(order.SourceTenantId));
        // the archived certificates have expired: nothing to cut off (CertificateHistory)
        var oldSerials = s.Serials.Except(s.CutOffSerials).ToImmutableList();

        // 2. the device belongs to B from here on (A gets not-found); the old owner's open challenge is void
        await ledger.RecordAsync(device, s with
        {
            Status = DeviceStatus.Transferring, TenantId = order.TargetTenantId, GroupId = order.GroupId, CountedInQuota = false, Tags = [],
            // links name the old owner's other device ids: the new owner's links are made at the re-enrolment
            Links = [],
            Challenges = [], Reservation = null, OwnershipChain = ChainJson(device.DeviceId, [.. chain, handover]),
            Transfer = new DeviceTransfer
            {
                TransferId = order.TransferId, SourceTenantId = order.SourceTenantId, TargetTenantId = order.TargetTenantId, GroupId = order.GroupId,
                RevokeAtAcceptance = order.RevokeAtAcceptance, AcceptedAt = now, OldSerials = oldSerials,
            },
        }, inventory: false);
        // the device no longer uses A's quota (once: the state just written no longer counts it there)
        if (s.CountedInQuota) await grains.GetGroupGrain(new GroupKey(s.TenantId!, s.GroupId!)).ReleaseAsync(device.DeviceId);
        await store.RemoveDeviceAsync(order.SourceTenantId, device.DeviceId);
        await ledger.UpdateInventoryAsync(device);
        var details = new Dictionary<string, string> { ["transfer"] = order.TransferId, ["from"] = order.SourceTenantId, ["to"] = order.TargetTenantId };
        await ledger.AuditAsync(device, new DeviceEvent(order.SourceTenantId, AuditActions.TransferHandover, "signed", order.Actor, details));
        await ledger.AuditAsync(device, new DeviceEvent(order.TargetTenantId, AuditActions.TransferHandover, "signed", order.Actor, details));

        // 3. policy "acceptance": the old owner is cut off now; the device reconnects and gets the command again
        if (order.RevokeAtAcceptance) await CutOffOldOwnerAsync(device, device.State.Transfer!, TimeSpan.Zero);

        // 4. the re-enrol command, signed by A's issuing CA (the chain the device holds), kept for re-delivery
        await SendCommandAsync(device);
        return new TransferDeviceOutcome(TransferDeviceState.CommandSent, null);
    }

    /// <summary>Re-sends the re-enrol command of a transfer in progress (when the device subscribes again); nothing otherwise.</summary>
    public async Task ResendCommandAsync(DeviceContext device)
    {
        if (device.State.Transfer is null) return;
        await SendCommandAsync(device);
    }

    /// <summary>The ownership record (chain JSON) for the current owner <paramref name="tenantId"/>, or null if not theirs.</summary>
    public async Task<byte[]?> GetOwnershipAsync(DeviceContext device, string tenantId)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.Current is null) return null;
        if (s.OwnershipChain is null)
            // enrolled before ownership records existed: the record starts now, signed by the current owner
            await ledger.RecordAsync(device, s with { OwnershipChain = await GenesisChainAsync(device.DeviceId, tenantId, s.EnrolledAt ?? clock.GetUtcNow()) },
                inventory: false);
        return device.State.OwnershipChain;
    }

    /// <summary>After the attest that issued the new owner's certificate (already written): cut A off, pin the device to B's group, report.</summary>
    public async Task CompleteAsync(DeviceContext device, DeviceTransfer moved, string groupId, string serialNumber)
    {
        if (!moved.RevokeAtAcceptance) await CutOffOldOwnerAsync(device, moved, CloseAfterReenrolment);
        // later renewals resolve to the new owner even when the old owner's enrolments also match the EK certificate
        await grains.GetGrain<IIndividualEnrollmentGrain>(device.DeviceId).ReassignAsync(moved.TargetTenantId, groupId, moved.SourceTenantId);
        var details = new Dictionary<string, string> { ["transfer"] = moved.TransferId, ["serial"] = serialNumber, ["group"] = groupId };
        await ledger.AuditAsync(device, new DeviceEvent(moved.SourceTenantId, AuditActions.TransferReenrolled, "done", "device", details));
        await ledger.AuditAsync(device, new DeviceEvent(moved.TargetTenantId, AuditActions.TransferReenrolled, "done", "device", details));
        grains.GetGrain<ITransferGrain>(moved.TransferId).DeviceReenrolledAsync(device.DeviceId, serialNumber).Ignore();
    }

    /// <summary>The first entry of a device's ownership record: <paramref name="ownerTenantId"/> owns it, signed by that owner.</summary>
    public async Task<byte[]> GenesisChainAsync(string deviceId, string ownerTenantId, DateTimeOffset at) =>
        ChainJson(deviceId, [await OwnershipEntries.AppendAsync([], deviceId, ownerTenantId, null, at, SignerOf(ownerTenantId))]);

    /// <summary>
    /// The new owner disabled or revoked a device that has not re-enrolled yet: the old owner is cut off now (its
    /// certificates revoked, sessions closed) rather than at a re-enrolment that may never come. Nothing when there is
    /// no transfer in progress or its old owner was already cut off.
    /// </summary>
    public Task CutOffPendingAsync(DeviceContext device) =>
        device.State.Transfer is { OldSerials.Count: > 0 } moved ? CutOffOldOwnerAsync(device, moved, TimeSpan.Zero) : Task.CompletedTask;

    /// <summary>Revokes the old owner's not-yet-revoked certificates and closes the device's session (see <see cref="Revocations"/>).</summary>
    private async Task CutOffOldOwnerAsync(DeviceContext device, DeviceTransfer moved, TimeSpan closeAfter)
    {
        await revocations.RevokeFormerOwnerCertificatesAsync(moved.SourceTenantId, device.DeviceId, moved.OldSerials, closeAfter);
        await ledger.AuditAsync(device, new DeviceEvent(moved.SourceTenantId, AuditActions.TransferRevoke, "revoked", "transfer",
            new Dictionary<string, string> { ["transfer"] = moved.TransferId, ["serials"] = string.Join(',', moved.OldSerials) }));
        await ledger.RecordAsync(device, device.State with
        {
            CutOffSerials = device.State.CutOffSerials.AddRange(moved.OldSerials),
            Transfer = device.State.Transfer is { } open ? open with { OldSerials = [] } : null,
        }, inventory: false);
    }

    private async Task SendCommandAsync(DeviceContext device)
    {
        var moved = device.State.Transfer!;
        var kept = moved.Command is { } json ? JsonSerializer.Deserialize(json, ProtocolJson.Default.DeviceCommand) : null;
        if (kept is null || clock.GetUtcNow() - kept.IssuedAt > CommandRefresh)
        {
            kept = await commands.SignAsync(moved.SourceTenantId, device.DeviceId, DeviceCommandKinds.Reenroll);
            await ledger.RecordAsync(device, device.State with
            {
                Transfer = moved with { Command = JsonSerializer.SerializeToUtf8Bytes(kept, ProtocolJson.Default.DeviceCommand) },
            }, inventory: false);
        }
        // without an MQTT endpoint here the command goes out when the device next subscribes
        await commands.PublishAsync(device.DeviceId, kept);
    }

    private Func<byte[], Task<byte[]>> SignerOf(string tenantId) =>
        bytes => grains.GetGrain<ICertificateSignerGrain>(tenantId).SignOwnershipEntryAsync(bytes);

    private static byte[] ChainJson(string deviceId, IReadOnlyList<OwnershipEntry> entries) =>
        new OwnershipDocument { DeviceId = deviceId, Entries = entries }.ToJson();

    private static List<OwnershipEntry> Entries(byte[] chainJson) => [.. OwnershipDocument.Parse(chainJson).Entries];
}
