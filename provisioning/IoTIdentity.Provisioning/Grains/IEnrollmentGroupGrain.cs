using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>One enrolment group (key = "{tenantId}/{groupId}").</summary>
public interface IEnrollmentGroupGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the policy (tenant and group ids come from the key).</summary>
    Task<EnrollmentPolicy> SetPolicyAsync(EnrollmentPolicy policy);

    /// <summary>The policy, or null if the group does not exist.</summary>
    [AlwaysInterleave]
    Task<EnrollmentPolicy?> GetPolicyAsync();

    /// <summary>Deletes the group; false if absent.</summary>
    Task<bool> DeleteAsync();

    /// <summary>Counts a new device against the group's quota and then the tenant's; false when either is used up.</summary>
    Task<bool> TryAdmitAsync(string deviceId);

    /// <summary>Gives back the quota a device used, in the group and then the tenant (it left the tenant); never below zero.</summary>
    Task ReleaseAsync(string deviceId);

    /// <summary>How many devices the group has admitted.</summary>
    Task<int> GetDeviceCountAsync();
}

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

/// <summary>An individual enrolment.</summary>
[GenerateSerializer, Immutable]
public sealed record IndividualEnrollment([property: Id(0)] string TenantId, [property: Id(1)] string GroupId, [property: Id(2)] bool Enabled);

/// <summary>The list of all enrolment groups (a single grain, key "all"), which devices without an individual enrolment are matched against.</summary>
public interface IEnrollmentDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds a group.</summary>
    Task AddAsync(string tenantId, string groupId);

    /// <summary>Removes a group.</summary>
    Task RemoveAsync(string tenantId, string groupId);

    /// <summary>Every group, as "{tenantId}/{groupId}" keys, with a version that changes with the list.</summary>
    [AlwaysInterleave]
    Task<GroupDirectory> GetAsync();
}

/// <summary>The directory's content.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupDirectory([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<string> GroupKeys);
