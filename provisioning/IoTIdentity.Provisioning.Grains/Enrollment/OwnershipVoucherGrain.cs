using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The tenant a verified ownership voucher gives an unowned device to (the voucher itself was checked at upload).</summary>
public sealed class OwnershipVoucherGrain(
    [PersistentState("voucher", ProvisioningStorage.Name)] IPersistentState<OwnershipVoucherState> state,
    TimeProvider clock) : Grain, IOwnershipVoucherGrain
{
    public Task<string?> GetTenantAsync() => Task.FromResult(state.State.TenantId);

    public async Task<bool> SetAsync(string tenantId)
    {
        if (state.State.TenantId is { } holder) return holder == tenantId;
        state.State = new OwnershipVoucherState { TenantId = tenantId, At = clock.GetUtcNow() };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> DeleteAsync(string tenantId)
    {
        if (state.State.TenantId != tenantId) return false;
        state.State = new OwnershipVoucherState();
        await state.ClearStateAsync();
        return true;
    }
}
