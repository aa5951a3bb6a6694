using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>One shard of a tenant's individually enrolled device ids (<see cref="IndividualEnrollmentIndex"/>).</summary>
public sealed class IndividualEnrollmentIndexGrain(
    [PersistentState("individual-index", ProvisioningStorage.Name)] IPersistentState<IndividualEnrollmentIndexState> state) : Grain, IIndividualEnrollmentIndexGrain
{
    public async Task AddAsync(string deviceId)
    {
        var at = state.State.DeviceIds.BinarySearch(deviceId, StringComparer.Ordinal);
        if (at >= 0) return;
        state.State = new IndividualEnrollmentIndexState { DeviceIds = state.State.DeviceIds.Insert(~at, deviceId) };
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string deviceId)
    {
        var at = state.State.DeviceIds.BinarySearch(deviceId, StringComparer.Ordinal);
        if (at < 0) return;
        state.State = new IndividualEnrollmentIndexState { DeviceIds = state.State.DeviceIds.RemoveAt(at) };
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListAsync(string? after, int count)
    {
        var ids = state.State.DeviceIds;
        var start = after is null ? 0 : ids.BinarySearch(after, StringComparer.Ordinal) is var at && at >= 0 ? at + 1 : ~at;
        return Task.FromResult<IReadOnlyList<string>>(ids.Skip(start).Take(count).ToList());
    }
}
