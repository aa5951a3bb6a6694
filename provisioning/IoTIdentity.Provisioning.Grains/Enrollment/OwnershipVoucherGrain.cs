using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// The tenant a verified ownership voucher gives an unowned device to (the voucher itself was checked at upload), listed
/// in the tenant's <see cref="OwnershipVoucherIndex"/>.
/// </summary>
/// <remarks>A first register of an unowned, unscoped device reads this grain's stored state without activating it
/// (<see cref="StoredEnrollmentClaims"/>): nearly always no voucher covers the device. A read that finds none lets the
/// activation go at once (as <see cref="IndividualEnrollmentGrain"/> does).</remarks>
public sealed class OwnershipVoucherGrain(
    [PersistentState(OwnershipVoucherGrain.StateName, ProvisioningStorage.Name)] IPersistentState<OwnershipVoucherState> state,
    TimeProvider clock) : Grain, IOwnershipVoucherGrain
{
    /// <summary>The name of the grain's stored state (<see cref="GrainStateKeys"/>).</summary>
    public const string StateName = "voucher";

    public Task<string?> GetTenantAsync()
    {
        if (state.State.TenantId is null) DeactivateOnIdle();
        return Task.FromResult(state.State.TenantId);
    }

    public Task<DateTimeOffset?> GetAcceptedAtAsync(string tenantId) => Task.FromResult(state.State.TenantId == tenantId ? state.State.At : null);

    public async Task<bool> SetAsync(string tenantId)
    {
        if (state.State.TenantId is { } holder) return holder == tenantId;
        await OwnershipVoucherIndex.Of(GrainFactory, tenantId, this.GetPrimaryKeyString()).AddAsync(this.GetPrimaryKeyString());
        state.State = new OwnershipVoucherState { TenantId = tenantId, At = clock.GetUtcNow() };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> DeleteAsync(string tenantId)
    {
        if (state.State.TenantId != tenantId) return false;
        state.State = new OwnershipVoucherState();
        await state.ClearStateAsync();
        await OwnershipVoucherIndex.Of(GrainFactory, tenantId, this.GetPrimaryKeyString()).RemoveAsync(this.GetPrimaryKeyString());
        return true;
    }
}
