using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// One shard of a tenant's list of device ids — its individual enrolments (key from <see cref="IndividualEnrollmentIndex"/>)
/// or its ownership vouchers (<see cref="OwnershipVoucherIndex"/>): the ids starting with one hex digit, in order. The
/// owning grain adds an id before it writes its record and removes it after the record is gone, so the list never
/// misses one; readers check each id's record.
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
