using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// An individual enrolment (key = deviceId): binds one device, by the id its EK gives it, to a tenant's group
/// policy. Checked before group enrolments.
/// </summary>
public interface IIndividualEnrollmentGrain : IGrainWithStringKey
{
    /// <summary>Binds the device to <paramref name="tenantId"/>'s group <paramref name="groupId"/>.</summary>
    Task SetAsync(string tenantId, string groupId, bool enabled);

    /// <summary>The binding, or null.</summary>
    [AlwaysInterleave]
    Task<IndividualEnrollment?> GetAsync();

    /// <summary>After a transfer: binds the device to <paramref name="tenantId"/>'s group, replacing the previous owner's enrolment.</summary>
    Task ReassignAsync(string tenantId, string groupId);

    /// <summary>Removes the binding if it belongs to <paramref name="tenantId"/>.</summary>
    Task<bool> DeleteAsync(string tenantId);
}
