using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

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
