using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// An individual enrolment (key = deviceId): binds one device, by the id its EK gives it, to a tenant's group
/// policy. Checked before group enrolments.
/// </summary>
public interface IIndividualEnrollmentGrain : IGrainWithStringKey
{
    /// <summary>Binds the device to <paramref name="tenantId"/>'s group <paramref name="groupId"/>, with the SHA-256 of its claim code if the tenant has one.</summary>
    Task SetAsync(string tenantId, string groupId, bool enabled, byte[]? claimCodeHash = null);

    /// <summary>The binding, or null.</summary>
    [AlwaysInterleave]
    Task<IndividualEnrollment?> GetAsync();

    /// <summary>After a transfer: binds the device to <paramref name="tenantId"/>'s group, replacing the previous owner's enrolment.</summary>
    Task ReassignAsync(string tenantId, string groupId);

    /// <summary>Removes the binding if it belongs to <paramref name="tenantId"/>.</summary>
    Task<bool> DeleteAsync(string tenantId);
}
