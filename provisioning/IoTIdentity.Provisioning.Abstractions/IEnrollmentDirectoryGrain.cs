using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The list of all enrolment groups (a single grain, key "all"), which devices without an individual enrolment are matched against.</summary>
public interface IEnrollmentDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds a group.</summary>
    Task AddAsync(GroupKey group);

    /// <summary>Removes a group.</summary>
    Task RemoveAsync(GroupKey group);

    /// <summary>Every group, with a version that changes with the list.</summary>
    [AlwaysInterleave]
    Task<GroupDirectory> GetAsync();
}
