using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// A device's individual enrolments, one slot per tenant, each listed in its tenant's <see cref="IndividualEnrollmentIndex"/>.
/// A tenant writes and deletes only its own slot, so a tenant that enrols a device first blocks no one.
/// </summary>
/// <remarks>Resolutions read this grain's stored slots without activating it (<see cref="StoredEnrollmentClaims"/>): a
/// first register of an unowned device, a scoped register and an owned device's renewal; the API reads and writes one
/// tenant's slot through the grain. A list that finds none lets the activation go at once instead of holding an empty
/// grain for the idle-collection age.</remarks>
public sealed class IndividualEnrollmentGrain(
    [PersistentState(IndividualEnrollmentGrain.StateName, ProvisioningStorage.Name)] IPersistentState<IndividualEnrollmentState> state) : Grain, IIndividualEnrollmentGrain
{
    /// <summary>The name of the grain's stored state (<see cref="GrainStateKeys"/>).</summary>
    public const string StateName = "individual";

    public async Task SetAsync(string tenantId, string groupId, bool enabled, byte[]? claimCodeHash = null)
    {
        await IndexOf(tenantId).AddAsync(DeviceId);
        await WriteAsync(state.State.AllSlots().SetItem(tenantId, new IndividualEnrollment(tenantId, groupId, enabled, claimCodeHash)));
    }

    public async Task ReassignAsync(string tenantId, string groupId, string previousTenantId)
    {
        await IndexOf(tenantId).AddAsync(DeviceId);
        var slots = state.State.AllSlots().SetItem(tenantId, new IndividualEnrollment(tenantId, groupId, Enabled: true));
        await WriteAsync(previousTenantId == tenantId ? slots : slots.Remove(previousTenantId));
        if (previousTenantId != tenantId) await IndexOf(previousTenantId).RemoveAsync(DeviceId);
    }

    public Task<IndividualEnrollment?> GetAsync(string tenantId) => Task.FromResult(state.State.SlotOf(tenantId));

    public Task<IReadOnlyList<IndividualEnrollment>> ListAsync()
    {
        var slots = state.State.InTenantOrder();
        if (slots.Count == 0) DeactivateOnIdle();
        return Task.FromResult(slots);
    }

    public async Task<bool> DeleteAsync(string tenantId)
    {
        var slots = state.State.AllSlots();
        if (!slots.ContainsKey(tenantId)) return false;
        await WriteAsync(slots.Remove(tenantId));
        await IndexOf(tenantId).RemoveAsync(DeviceId);
        return true;
    }

    private async Task WriteAsync(ImmutableDictionary<string, IndividualEnrollment> slots)
    {
        state.State = new IndividualEnrollmentState { Slots = slots };
        if (slots.IsEmpty) await state.ClearStateAsync();
        else await state.WriteStateAsync();
    }

    private string DeviceId => this.GetPrimaryKeyString();

    /// <summary>The shard of <paramref name="tenantId"/>'s list that holds this device (ids are lowercase hex).</summary>
    private IIndividualEnrollmentIndexGrain IndexOf(string tenantId) => IndividualEnrollmentIndex.Of(GrainFactory, tenantId, DeviceId);
}
