using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>An individual enrolment: one device bound to one tenant's group policy.</summary>
public sealed class IndividualEnrollmentGrain(
    [PersistentState("individual", ProvisioningStorage.Name)] IPersistentState<IndividualEnrollmentState> state) : Grain, IIndividualEnrollmentGrain
{
    public async Task SetAsync(string tenantId, string groupId, bool enabled, byte[]? claimCodeHash = null)
    {
        if (state.State.Enrollment is { } existing && existing.TenantId != tenantId)
            throw new InvalidOperationException("the device is individually enrolled by another tenant");
        state.State = new IndividualEnrollmentState { Enrollment = new IndividualEnrollment(tenantId, groupId, enabled, claimCodeHash) };
        await state.WriteStateAsync();
    }

    public async Task ReassignAsync(string tenantId, string groupId)
    {
        state.State = new IndividualEnrollmentState { Enrollment = new IndividualEnrollment(tenantId, groupId, Enabled: true) };
        await state.WriteStateAsync();
    }

    public Task<IndividualEnrollment?> GetAsync() => Task.FromResult(state.State.Enrollment);

    public async Task<bool> DeleteAsync(string tenantId)
    {
        if (state.State.Enrollment?.TenantId != tenantId) return false;
        state.State = new IndividualEnrollmentState();
        await state.ClearStateAsync();
        return true;
    }
}
