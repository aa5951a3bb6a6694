using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// A device's individual enrolments (key = deviceId), one slot per tenant: each binds the device, by the id its EK
/// gives it, to that tenant's group policy. One tenant's slot never blocks or changes another's; which slot counts is
/// the resolver's choice (the owner's, the scope's, the claim code's, or the only one that admits the device).
/// </summary>
public interface IIndividualEnrollmentGrain : IGrainWithStringKey
{
    /// <summary>Sets <paramref name="tenantId"/>'s slot: its group <paramref name="groupId"/>, with the SHA-256 of the device's claim code if the tenant has one.</summary>
    Task SetAsync(string tenantId, string groupId, bool enabled, byte[]? claimCodeHash = null);

    /// <summary><paramref name="tenantId"/>'s enrolment for the device, or null.</summary>
    [AlwaysInterleave]
    Task<IndividualEnrollment?> GetAsync(string tenantId);

    /// <summary>Every tenant's enrolment for the device, in tenant id order.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<IndividualEnrollment>> ListAsync();

    /// <summary>After a transfer: binds the device to <paramref name="tenantId"/>'s group and removes <paramref name="previousTenantId"/>'s slot.</summary>
    Task ReassignAsync(string tenantId, string groupId, string previousTenantId);

    /// <summary>Removes <paramref name="tenantId"/>'s slot; false when it had none.</summary>
    Task<bool> DeleteAsync(string tenantId);
}
