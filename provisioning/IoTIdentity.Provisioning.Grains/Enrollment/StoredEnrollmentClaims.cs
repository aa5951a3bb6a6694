using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// What a resolution asks about a device's individual enrolments and voucher — one tenant's individual enrolment for
/// it (an owned device's renewal, a scoped register), every tenant's (an unowned, unscoped first register) and the
/// tenant a verified ownership voucher gives it to — read through the grain storage from the states
/// <see cref="IndividualEnrollmentGrain"/> and <see cref="OwnershipVoucherGrain"/> store, without activating either
/// grain: nearly always there is neither, and a device renewing once a day finds the grain deactivated each time, so
/// an activation (with its deactivation) per request cost more than the read. Both grains write their state before
/// they answer their caller, so the stored state is what the grain would answer from.
/// </summary>
public sealed class StoredEnrollmentClaims(IGrainFactory grains, [FromKeyedServices(ProvisioningStorage.Name)] IGrainStorage storage)
{
    /// <summary>The tenant's individual enrolment for the device, or null (as <see cref="IIndividualEnrollmentGrain.GetAsync"/>).</summary>
    public async Task<IndividualEnrollment?> IndividualAsync(string deviceId, string tenantId) =>
        (await ReadIndividualAsync(deviceId)).SlotOf(tenantId);

    /// <summary>Each tenant's individual enrolment for the device, in tenant order (as <see cref="IIndividualEnrollmentGrain.ListAsync"/>).</summary>
    public async Task<IReadOnlyList<IndividualEnrollment>> ListIndividualAsync(string deviceId) =>
        (await ReadIndividualAsync(deviceId)).InTenantOrder();

    /// <summary>The tenant whose verified voucher covers the device, or null (as <see cref="IOwnershipVoucherGrain.GetTenantAsync"/>).</summary>
    public async Task<string?> VouchedTenantAsync(string deviceId) =>
        (await ReadAsync<OwnershipVoucherState>(grains.GetGrain<IOwnershipVoucherGrain>(deviceId).GetGrainId(), OwnershipVoucherGrain.StateName)).TenantId;

    private Task<IndividualEnrollmentState> ReadIndividualAsync(string deviceId) =>
        ReadAsync<IndividualEnrollmentState>(grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).GetGrainId(), IndividualEnrollmentGrain.StateName);

    /// <summary>The grain's stored state, as its activation would read it (a new state when none is stored).</summary>
    private async Task<T> ReadAsync<T>(GrainId grainId, string stateName) where T : class, new()
    {
        var read = new GrainState<T>();
        await storage.ReadStateAsync(stateName, grainId, read);
        return read.State ?? new T();
    }
}
