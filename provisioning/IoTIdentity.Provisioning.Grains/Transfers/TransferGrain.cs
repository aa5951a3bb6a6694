using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using TransferPolicies = IoTIdentity.Protocol.Management.TransferPolicies;

namespace IoTIdentity.Provisioning.Grains.Transfers;

/// <summary>
/// The transfer saga. Create holds every device (all or none); accept records the acceptance durably, then moves the
/// devices in batches of <see cref="BatchSize"/>, one turn per batch, so the transfer stays readable while a bulk
/// transfer proceeds and a restart resumes where it stopped. Expiry is checked at every access (and each device's hold
/// lapses on its own at the same time), so an unaccepted transfer changes nothing whether or not anyone looks.
/// </summary>
public sealed class TransferGrain(
    [PersistentState("transfer", ProvisioningStorage.Name)] IPersistentState<TransferState> state,
    AuditTrail audit,
    TimeProvider clock) : Grain, ITransferGrain
{
    /// <summary>Devices moved per turn (and held in parallel at creation).</summary>
    internal const int BatchSize = 50;

    private string TransferId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // a silo stopped in the middle of an acceptance: carry on
        if (state.State.Status == TransferStatus.Accepted && state.State.Devices.Any(d => d.State == TransferDeviceState.Pending))
            this.AsReference<ITransferGrain>().ProceedAsync().Ignore();
        return Task.CompletedTask;
    }

    public async Task<TransferResult> CreateAsync(TransferRequest request)
    {
        if (state.State.Exists) return TransferResult.Refused(ProvisioningError.Conflict, "transfer id in use");
        if (!await GrainFactory.GetGrain<ITenantGrain>(request.TargetTenantId).ExistsAsync())
            return TransferResult.Refused(ProvisioningError.NotFound, $"tenant {request.TargetTenantId} not found");
        var now = clock.GetUtcNow();
        var expiresAt = now + request.ExpiresIn;

        // all or none: hold every device; on any refusal release the ones held
        var held = new List<string>();
        (TransferReservationResult Result, string DeviceId)? refused = null;
        foreach (var batch in request.DeviceIds.Chunk(BatchSize))
        {
            var answers = await Task.WhenAll(batch.Select(async id =>
                (Result: await GrainFactory.GetGrain<IDeviceGrain>(id).ReserveForTransferAsync(request.SourceTenantId, TransferId, expiresAt), DeviceId: id)));
            held.AddRange(answers.Where(a => a.Result == TransferReservationResult.Reserved).Select(a => a.DeviceId));
            refused ??= answers.Where(a => a.Result != TransferReservationResult.Reserved).Select(a => ((TransferReservationResult, string)?)a).FirstOrDefault();
            if (refused is not null) break;
        }
        if (refused is { } r)
        {
            await ReleaseAsync(held);
            return r.Result == TransferReservationResult.NotFound
                ? TransferResult.Refused(ProvisioningError.NotFound, $"device {r.DeviceId} not found")
                : TransferResult.Refused(ProvisioningError.Conflict, $"device {r.DeviceId} is in another transfer or cannot be transferred now");
        }

        state.State = new TransferState
        {
            Exists = true, SourceTenantId = request.SourceTenantId, TargetTenantId = request.TargetTenantId, Status = TransferStatus.Pending,
            CreatedAt = now, ExpiresAt = expiresAt, RevokeAtAcceptance = request.RevokeAtAcceptance,
            Devices = [.. request.DeviceIds.Select(id => new TransferDeviceProgress { DeviceId = id, State = TransferDeviceState.Pending, UpdatedAt = now })],
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITransferIndexGrain>(request.SourceTenantId).AddAsync(new TransferIndexEntry(TransferId, Outgoing: true));
        await GrainFactory.GetGrain<ITransferIndexGrain>(request.TargetTenantId).AddAsync(new TransferIndexEntry(TransferId, Outgoing: false));
        await RecordBothAsync(AuditActions.TransferCreate, "pending", request.Actor, new() { ["devices"] = request.DeviceIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new TransferResult(View(), null);
    }

    public async Task<TransferView?> GetAsync(string tenantId)
    {
        if (!IsParty(tenantId)) return null;
        await ExpireIfDueAsync();
        return View();
    }

    public async Task<TransferResult> AcceptAsync(string tenantId, string? groupId, string actor)
    {
        if (!IsParty(tenantId)) return TransferResult.Refused(ProvisioningError.NotFound);
        if (tenantId != state.State.TargetTenantId) return TransferResult.Refused(ProvisioningError.Forbidden, "only the target tenant accepts");
        await ExpireIfDueAsync();
        if (state.State.Status != TransferStatus.Pending) return TransferResult.Refused(ProvisioningError.Conflict, $"the transfer is {state.State.Status}");
        if (groupId is not null && await GrainFactory.GetGroupGrain(new GroupKey(tenantId, groupId)).GetPolicyAsync() is null)
            return TransferResult.Refused(ProvisioningError.NotFound, $"group {groupId} not found");

        state.State = state.State with { Status = TransferStatus.Accepted, AcceptedAt = clock.GetUtcNow(), GroupId = groupId, AcceptedBy = actor };
        await state.WriteStateAsync();
        await RecordBothAsync(AuditActions.TransferAccept, "accepted", actor, new() { ["group"] = groupId ?? "" });
        this.AsReference<ITransferGrain>().ProceedAsync().Ignore();
        return new TransferResult(View(), null);
    }

    public async Task ProceedAsync()
    {
        if (state.State.Status != TransferStatus.Accepted) return;
        var batch = state.State.Devices.Where(d => d.State == TransferDeviceState.Pending).Take(BatchSize).ToList();
        if (batch.Count == 0) return;
        var order = new TransferOrder
        {
            TransferId = TransferId, SourceTenantId = state.State.SourceTenantId, TargetTenantId = state.State.TargetTenantId,
            GroupId = state.State.GroupId, RevokeAtAcceptance = state.State.RevokeAtAcceptance, Actor = state.State.AcceptedBy,
        };
        var outcomes = await Task.WhenAll(batch.Select(async d => (d.DeviceId, Outcome: await BeginAsync(d.DeviceId, order))));
        foreach (var (deviceId, outcome) in outcomes) Update(deviceId, outcome.State, null, outcome.Error);
        await CompleteIfDoneAsync();
        await state.WriteStateAsync();
        if (state.State.Devices.Any(d => d.State == TransferDeviceState.Pending)) this.AsReference<ITransferGrain>().ProceedAsync().Ignore();
    }

    public async Task DeviceReenrolledAsync(string deviceId, string serialNumber)
    {
        var device = state.State.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
        if (device is null || device.State == TransferDeviceState.Reenrolled) return;
        Update(deviceId, TransferDeviceState.Reenrolled, serialNumber, null);
        await CompleteIfDoneAsync();
        await state.WriteStateAsync();
    }

    public async Task<TransferResult> CancelAsync(string tenantId, string actor)
    {
        if (!IsParty(tenantId)) return TransferResult.Refused(ProvisioningError.NotFound);
        await ExpireIfDueAsync();
        if (state.State.Status != TransferStatus.Pending) return TransferResult.Refused(ProvisioningError.Conflict, $"the transfer is {state.State.Status}");
        await EndUnacceptedAsync(TransferStatus.Cancelled, actor);
        return new TransferResult(View(), null);
    }

    private async Task<TransferDeviceOutcome> BeginAsync(string deviceId, TransferOrder order)
    {
        try
        {
            return await GrainFactory.GetGrain<IDeviceGrain>(deviceId).BeginTransferAsync(order);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // one device's storage fault must not stall the others; it is reported, and a retry is a new transfer
            return new TransferDeviceOutcome(TransferDeviceState.Failed, $"unavailable: {e.GetType().Name}");
        }
    }

    private bool IsParty(string tenantId) =>
        state.State.Exists && (tenantId == state.State.SourceTenantId || tenantId == state.State.TargetTenantId);

    private async Task ExpireIfDueAsync()
    {
        if (state.State.Status == TransferStatus.Pending && clock.GetUtcNow() >= state.State.ExpiresAt)
            await EndUnacceptedAsync(TransferStatus.Expired, "expiry");
    }

    private async Task EndUnacceptedAsync(TransferStatus end, string actor)
    {
        state.State = state.State with { Status = end, CompletedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        await ReleaseAsync(state.State.Devices.Select(d => d.DeviceId).ToList());
        await RecordBothAsync(end == TransferStatus.Cancelled ? AuditActions.TransferCancel : AuditActions.TransferExpire, end.ToString().ToLowerInvariant(), actor, []);
    }

    private async Task ReleaseAsync(IReadOnlyList<string> deviceIds)
    {
        foreach (var batch in deviceIds.Chunk(BatchSize))
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IDeviceGrain>(id).ReleaseTransferAsync(TransferId)));
    }

    private void Update(string deviceId, TransferDeviceState deviceState, string? serialNumber, string? error)
    {
        var devices = state.State.Devices;
        var index = devices.FindIndex(d => d.DeviceId == deviceId);
        if (index < 0) return;
        devices = devices.SetItem(index, devices[index] with { State = deviceState, UpdatedAt = clock.GetUtcNow(), NewSerialNumber = serialNumber ?? devices[index].NewSerialNumber, Error = error });
        state.State = state.State with { Devices = devices };
    }

    private async Task CompleteIfDoneAsync()
    {
        if (state.State.Status != TransferStatus.Accepted) return;
        if (state.State.Devices.Any(d => d.State is TransferDeviceState.Pending or TransferDeviceState.CommandSent)) return;
        state.State = state.State with { Status = TransferStatus.Completed, CompletedAt = clock.GetUtcNow() };
        var counts = Counts();
        await RecordBothAsync(AuditActions.TransferComplete, "completed", "transfer",
            new() { ["reenrolled"] = counts.Reenrolled.ToString(System.Globalization.CultureInfo.InvariantCulture), ["failed"] = counts.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private async Task RecordBothAsync(string action, string outcome, string actor, Dictionary<string, string> details)
    {
        details["from"] = state.State.SourceTenantId;
        details["to"] = state.State.TargetTenantId;
        await audit.RecordAsync(state.State.SourceTenantId, action, TransferId, outcome, [], actor, details);
        await audit.RecordAsync(state.State.TargetTenantId, action, TransferId, outcome, [], actor, details);
    }

    private TransferCounts Counts()
    {
        var devices = state.State.Devices;
        return new TransferCounts(devices.Count(d => d.State == TransferDeviceState.Pending), devices.Count(d => d.State == TransferDeviceState.CommandSent),
            devices.Count(d => d.State == TransferDeviceState.Reenrolled), devices.Count(d => d.State == TransferDeviceState.Failed));
    }

    private TransferView View()
    {
        var s = state.State;
        return new TransferView
        {
            TransferId = TransferId, SourceTenantId = s.SourceTenantId, TargetTenantId = s.TargetTenantId, State = s.Status,
            CreatedAt = s.CreatedAt, ExpiresAt = s.ExpiresAt, AcceptedAt = s.AcceptedAt, CompletedAt = s.CompletedAt,
            RevokeOldCertificateAt = s.RevokeAtAcceptance ? TransferPolicies.Acceptance : TransferPolicies.Reenrollment,
            GroupId = s.GroupId, Devices = s.Devices, Counts = Counts(),
        };
    }
}
