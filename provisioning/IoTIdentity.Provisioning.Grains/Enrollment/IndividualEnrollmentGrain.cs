using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>An individual enrolment: one device bound to one tenant's group policy, listed in the tenant's <see cref="IndividualEnrollmentIndex"/>.</summary>
public sealed class IndividualEnrollmentGrain(
    [PersistentState("individual", ProvisioningStorage.Name)] IPersistentState<IndividualEnrollmentState> state) : Grain, IIndividualEnrollmentGrain
{
    public async Task SetAsync(string tenantId, string groupId, bool enabled, byte[]? claimCodeHash = null)
    {
        if (state.State.Enrollment is { } existing && existing.TenantId != tenantId)
            throw new InvalidOperationException("the device is individually enrolled by another tenant");
        await IndexOf(tenantId).AddAsync(DeviceId);
        state.State = new IndividualEnrollmentState { Enrollment = new IndividualEnrollment(tenantId, groupId, enabled, claimCodeHash) };
        await state.WriteStateAsync();
    }

    public async Task ReassignAsync(string tenantId, string groupId)
    {
        var previous = state.State.Enrollment?.TenantId;
        await IndexOf(tenantId).AddAsync(DeviceId);
        state.State = new IndividualEnrollmentState { Enrollment = new IndividualEnrollment(tenantId, groupId, Enabled: true) };
        await state.WriteStateAsync();
        if (previous is not null && previous != tenantId) await IndexOf(previous).RemoveAsync(DeviceId);
    }

    public Task<IndividualEnrollment?> GetAsync() => Task.FromResult(state.State.Enrollment);

    public async Task<bool> DeleteAsync(string tenantId)
    {
        if (state.State.Enrollment?.TenantId != tenantId) return false;
        state.State = new IndividualEnrollmentState();
        await state.ClearStateAsync();
        await IndexOf(tenantId).RemoveAsync(DeviceId);
        return true;
    }

    private string DeviceId => this.GetPrimaryKeyString();

    /// <summary>The shard of <paramref name="tenantId"/>'s list that holds this device (ids are lowercase hex).</summary>
    private IIndividualEnrollmentIndexGrain IndexOf(string tenantId) => IndividualEnrollmentIndex.Of(GrainFactory, tenantId, DeviceId);
}
