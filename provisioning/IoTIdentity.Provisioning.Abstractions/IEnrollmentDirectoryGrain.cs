using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The list of all enrolment groups (a single grain, key "all"), which devices without an individual enrolment are matched against.</summary>
public interface IEnrollmentDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds a group when it is missing; moves the trust epoch either way (its policy changed).</summary>
    Task AddAsync(GroupKey group);

    /// <summary>Removes a group.</summary>
    Task RemoveAsync(GroupKey group);

    /// <summary>Moves the trust epoch: a tenant's manufacturer roots changed.</summary>
    [AlwaysInterleave]
    Task TouchAsync();

    /// <summary>Every group, with a version that changes with the list and the trust epoch.</summary>
    [AlwaysInterleave]
    Task<GroupDirectory> GetAsync();
}
