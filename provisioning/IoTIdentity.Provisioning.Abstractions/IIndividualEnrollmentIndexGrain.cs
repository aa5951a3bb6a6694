using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// One shard of a tenant's list of individually enrolled device ids (key from <see cref="IndividualEnrollmentIndex"/>):
/// the ids starting with one hex digit, in order. The enrolment grain adds an id before it writes the enrolment and
/// removes it after the enrolment is gone, so the list never misses an enrolment; readers check each id's enrolment.
/// </summary>
public interface IIndividualEnrollmentIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds a device id (nothing if present).</summary>
    Task AddAsync(string deviceId);

    /// <summary>Removes a device id (nothing if absent).</summary>
    Task RemoveAsync(string deviceId);

    /// <summary>At most <paramref name="count"/> ids after <paramref name="after"/> (null: from the start), in ordinal order.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync(string? after, int count);
}
