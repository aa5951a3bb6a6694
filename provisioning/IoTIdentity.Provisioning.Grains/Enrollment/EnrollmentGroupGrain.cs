using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>An enrolment group: its policy and its quota counter.</summary>
public sealed class EnrollmentGroupGrain(
    [PersistentState("group", ProvisioningStorage.Name)] IPersistentState<EnrollmentGroupState> state,
    [PersistentState(AdmissionCount.StateName, ProvisioningStorage.Name)] IPersistentState<AdmissionCountState> admittedState,
    IGrainFactory grains) : Grain, IEnrollmentGroupGrain
{
    private readonly AdmissionCount _admitted = new(admittedState, () => state.State.DeviceCount);

    private GroupKey Key => GroupKey.Parse(this.GetPrimaryKeyString());

    public async Task<EnrollmentPolicy> SetPolicyAsync(EnrollmentPolicy policy)
    {
        var key = Key;
        var stored = policy with { TenantId = key.TenantId, GroupId = key.GroupId, Version = (state.State.Policy?.Version ?? 0) + 1 };
        state.State = state.State with { Policy = stored };
        await state.WriteStateAsync();
        // listed if new (or if an earlier add failed), and the trust epoch moves before the change is acknowledged:
        // resolvers holding the old policy read it again
        await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).AddAsync(key);
        return stored;
    }

    public Task<EnrollmentPolicy?> GetPolicyAsync() => Task.FromResult(state.State.Policy);

    public async Task<bool> DeleteAsync()
    {
        if (state.State.Policy is null) return false;
        await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).RemoveAsync(Key);
        state.State = new EnrollmentGroupState();
        await state.ClearStateAsync();
        await _admitted.DeleteAsync();
        return true;
    }

    public async Task<bool> TryAdmitAsync(string deviceId)
    {
        if (state.State.Policy is not { } policy) return false;
        if (policy.Quota is { } quota && _admitted.Value >= quota) return false;
        // the tenant-wide quota next; the group counts the device only once the tenant has
        if (!await grains.GetGrain<ITenantGrain>(Key.TenantId).TryAdmitDeviceAsync(deviceId)) return false;
        await _admitted.ChangeAsync(+1);
        return true;
    }

    public async Task ReleaseAsync(string deviceId)
    {
        if (_admitted.Value > 0) await _admitted.ChangeAsync(-1);
        // the group may have been deleted and made again since: the tenant counted the device all the same
        await grains.GetGrain<ITenantGrain>(Key.TenantId).ReleaseDeviceAsync(deviceId);
    }

    public Task<int> GetDeviceCountAsync() => Task.FromResult(_admitted.Value);
}
