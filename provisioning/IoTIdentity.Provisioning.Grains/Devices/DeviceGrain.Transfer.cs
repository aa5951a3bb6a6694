using System.Collections.Immutable;
using System.Text.Json;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The device's side of an ownership transfer. The device's single activation serializes it with enrolment and
/// rotation, which gives the concurrency rule: acceptance discards any open challenge of the old owner and from then
/// on a renewal is refused (the agent enrols again, for the new owner); every certificate issued under the old owner —
/// one a rotation issued just before acceptance included — is revoked at the cut-off, so the device ends with one
/// owner and one valid certificate, the new owner's.
/// </summary>
public sealed partial class DeviceGrain
{
    /// <summary>How old a kept re-enrol command may be before a re-delivery signs a fresh one (devices refuse stale commands).</summary>
    private static readonly TimeSpan CommandRefresh = DeviceCommands.MaxAge / 2;

    /// <summary>How long after re-enrolment the old session is closed, so the reply with the new certificate goes out first.</summary>
    private static readonly TimeSpan CloseAfterReenrolment = TimeSpan.FromSeconds(2);

    public async Task<TransferReservationResult> ReserveForTransferAsync(string sourceTenantId, string transferId, DateTimeOffset expiresAt)
    {
        var s = state.State;
        if (s.TenantId != sourceTenantId || s.Status == DeviceStatus.Unknown && s.Current is null) return TransferReservationResult.NotFound;
        if (s.Reservation?.TransferId == transferId) return TransferReservationResult.Reserved;
        var held = s.Reservation is { } other && other.ExpiresAt > clock.GetUtcNow();
        if (held || s.Current is null || s.Status is DeviceStatus.Transferring or DeviceStatus.Revoked or DeviceStatus.Disabled)
            return TransferReservationResult.Conflict;
        state.State = s with { Reservation = new TransferReservation(transferId, expiresAt), UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        return TransferReservationResult.Reserved;
    }

    public async Task ReleaseTransferAsync(string transferId)
    {
        if (state.State.Reservation?.TransferId != transferId) return;
        state.State = state.State with { Reservation = null, UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
    }

    public async Task<TransferDeviceOutcome> BeginTransferAsync(TransferOrder order)
    {
        var s = state.State;
        if (s.Transfer?.TransferId == order.TransferId) return new TransferDeviceOutcome(TransferDeviceState.CommandSent, null);   // a retried acceptance
        if (s.Reservation?.TransferId != order.TransferId || s.TenantId != order.SourceTenantId)
            return new TransferDeviceOutcome(TransferDeviceState.Failed, "the device is no longer held for this transfer");
        if (s.Status is DeviceStatus.Revoked or DeviceStatus.Disabled || s.Current is null)
        {
            // disabled or revoked by its owner while the transfer was pending: it stays with its owner, free again
            await ReleaseTransferAsync(order.TransferId);
            return new TransferDeviceOutcome(TransferDeviceState.Failed, $"the device is {s.Status}");
        }

        // 1. the signed hand-over A → B, by A's ownership key, appended to the chain
        var now = clock.GetUtcNow();
        var chain = Entries(s.OwnershipChain ?? await GenesisChainAsync(order.SourceTenantId, s.EnrolledAt ?? now));
        var handover = await OwnershipEntries.AppendAsync(chain, DeviceId, order.SourceTenantId, order.TargetTenantId, now, SignerOf(order.SourceTenantId));
        var oldSerials = s.Serials.Except(s.CutOffSerials).ToImmutableList();

        // 2. the device belongs to B from here on (A gets not-found); the old owner's open challenge is void
        state.State = s with
        {
            Status = DeviceStatus.Transferring, TenantId = order.TargetTenantId, GroupId = order.GroupId, CountedInQuota = false,
            Challenge = null, Reservation = null, OwnershipChain = ChainJson([.. chain, handover]), UpdatedAt = now,
            Transfer = new DeviceTransfer
            {
                TransferId = order.TransferId, SourceTenantId = order.SourceTenantId, TargetTenantId = order.TargetTenantId, GroupId = order.GroupId,
                RevokeAtAcceptance = order.RevokeAtAcceptance, AcceptedAt = now, OldSerials = oldSerials,
            },
        };
        await state.WriteStateAsync();
        // the device no longer uses A's quota (once: the state just written no longer counts it there)
        if (s.CountedInQuota) await GrainFactory.GetGrain<IEnrollmentGroupGrain>($"{s.TenantId}/{s.GroupId}").ReleaseAsync(DeviceId);
        await store.RemoveDeviceAsync(order.SourceTenantId, DeviceId);
        await UpdateInventoryAsync();
        var details = new Dictionary<string, string> { ["transfer"] = order.TransferId, ["from"] = order.SourceTenantId, ["to"] = order.TargetTenantId };
        await audit.RecordAsync(order.SourceTenantId, "transfer-handover", DeviceId, "signed", [], order.Actor, details);
        await audit.RecordAsync(order.TargetTenantId, "transfer-handover", DeviceId, "signed", [], order.Actor, details);

        // 3. policy "acceptance": the old owner is cut off now; the device reconnects and gets the command again
        if (order.RevokeAtAcceptance) await CutOffOldOwnerAsync(state.State.Transfer!, TimeSpan.Zero);

        // 4. the re-enrol command, signed by A's issuing CA (the chain the device holds), kept for re-delivery
        await SendTransferCommandAsync();
        return new TransferDeviceOutcome(TransferDeviceState.CommandSent, null);
    }

    public async Task ResendTransferCommandAsync()
    {
        if (state.State.Transfer is null) return;
        await SendTransferCommandAsync();
    }

    public async Task<byte[]?> GetOwnershipAsync(string tenantId)
    {
        var s = state.State;
        if (s.TenantId != tenantId || s.Current is null) return null;
        if (s.OwnershipChain is null)
        {
            // enrolled before ownership records existed: the record starts now, signed by the current owner
            state.State = s with { OwnershipChain = await GenesisChainAsync(tenantId, s.EnrolledAt ?? clock.GetUtcNow()) };
            await state.WriteStateAsync();
        }
        return state.State.OwnershipChain;
    }

    /// <summary>After the attest that issued the new owner's certificate (already written): cut A off, pin the device to B's group, report.</summary>
    private async Task CompleteTransferAsync(DeviceTransfer moved, string groupId, string serialNumber)
    {
        if (!moved.RevokeAtAcceptance) await CutOffOldOwnerAsync(moved, CloseAfterReenrolment);
        // later renewals resolve to the new owner even when the old owner's enrolments also match the EK certificate
        await GrainFactory.GetGrain<IIndividualEnrollmentGrain>(DeviceId).ReassignAsync(moved.TargetTenantId, groupId);
        var details = new Dictionary<string, string> { ["transfer"] = moved.TransferId, ["serial"] = serialNumber, ["group"] = groupId };
        await audit.RecordAsync(moved.SourceTenantId, "transfer-reenrolled", DeviceId, "done", [], "device", details);
        await audit.RecordAsync(moved.TargetTenantId, "transfer-reenrolled", DeviceId, "done", [], "device", details);
        GrainFactory.GetGrain<ITransferGrain>(moved.TransferId).DeviceReenrolledAsync(DeviceId, serialNumber).Ignore();
    }

    /// <summary>Revokes the old owner's not-yet-revoked certificates and closes the device's session (see <see cref="Revocations"/>).</summary>
    private async Task CutOffOldOwnerAsync(DeviceTransfer moved, TimeSpan closeAfter)
    {
        await revocations.RevokeFormerOwnerCertificatesAsync(moved.SourceTenantId, DeviceId, moved.OldSerials, closeAfter);
        await audit.RecordAsync(moved.SourceTenantId, "transfer-revoke", DeviceId, "revoked", [], "transfer",
            new Dictionary<string, string> { ["transfer"] = moved.TransferId, ["serials"] = string.Join(',', moved.OldSerials) });
        state.State = state.State with
        {
            CutOffSerials = state.State.CutOffSerials.AddRange(moved.OldSerials),
            Transfer = state.State.Transfer is { } open ? open with { OldSerials = [] } : null,
        };
        await state.WriteStateAsync();
    }

    private async Task SendTransferCommandAsync()
    {
        var moved = state.State.Transfer!;
        var kept = moved.Command is { } json ? JsonSerializer.Deserialize(json, ProtocolJson.Default.DeviceCommand) : null;
        if (kept is null || clock.GetUtcNow() - kept.IssuedAt > CommandRefresh)
        {
            kept = await commands.SignAsync(moved.SourceTenantId, DeviceId, DeviceCommandKinds.Reenroll);
            state.State = state.State with { Transfer = moved with { Command = JsonSerializer.SerializeToUtf8Bytes(kept, ProtocolJson.Default.DeviceCommand) } };
            await state.WriteStateAsync();
        }
        // without an MQTT endpoint here the command goes out when the device next subscribes
        await commands.PublishAsync(DeviceId, kept);
    }

    private async Task<byte[]> GenesisChainAsync(string ownerTenantId, DateTimeOffset at) =>
        ChainJson([await OwnershipEntries.AppendAsync([], DeviceId, ownerTenantId, null, at, SignerOf(ownerTenantId))]);

    private Func<byte[], Task<byte[]>> SignerOf(string tenantId) =>
        bytes => GrainFactory.GetGrain<ICertificateSignerGrain>(tenantId).SignOwnershipEntryAsync(bytes);

    private byte[] ChainJson(IReadOnlyList<OwnershipEntry> entries) => new OwnershipDocument { DeviceId = DeviceId, Entries = entries }.ToJson();

    private static List<OwnershipEntry> Entries(byte[] chainJson) => [.. OwnershipDocument.Parse(chainJson).Entries];
}
