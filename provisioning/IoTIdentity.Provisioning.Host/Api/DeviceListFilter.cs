using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The filters of <c>GET /api/v1/devices</c>, read strictly: a value that can match nothing is an error listing the
/// values that can (the states, the tenant's groups), never an empty page that looks like an empty fleet.
/// </summary>
/// <param name="Query">The store query, when every filter was understood.</param>
/// <param name="Problem">What is wrong, otherwise.</param>
public sealed record DeviceListFilter(DeviceQuery Query, string? Problem = null)
{
    /// <summary>The query for the given filters, or the problem with the first one that is wrong.</summary>
    public static async Task<DeviceListFilter> ReadAsync(string tenantId, IGrainFactory grains,
        string? state, string? compliant, string? groupId, string? tag, string? deviceIdPrefix)
    {
        var query = new DeviceQuery();
        if (state is not null)
        {
            // names only: Enum.TryParse would take "2" or "Active,Revoked" too
            var name = Enum.GetNames<DeviceStatus>().FirstOrDefault(n => string.Equals(n, state, StringComparison.OrdinalIgnoreCase));
            if (name is null) return Refused($"state '{state}' is not one of {string.Join(", ", Enum.GetNames<DeviceStatus>())}");
            query = query with { State = name };
        }
        if (compliant is not null)
        {
            if (!bool.TryParse(compliant, out var value)) return Refused($"compliant '{compliant}' is not true or false");
            query = query with { Compliant = value };
        }
        if (groupId is not null)
        {
            var groups = (await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).GetAsync())
                .Groups.Where(g => g.IsOf(tenantId)).Select(g => g.GroupId).Order(StringComparer.Ordinal).ToList();
            if (!groups.Contains(groupId))
                return Refused($"groupId '{groupId}' is not one of the tenant's groups ({(groups.Count == 0 ? "it has none" : string.Join(", ", groups))})");
            query = query with { GroupId = groupId };
        }
        if (tag is not null)
        {
            if (!DeviceTags.IsValid(tag)) return Refused($"tag '{tag}' is not 1-{DeviceTags.MaxLength} characters of letters, digits and . _ - : = /");
            query = query with { Tag = tag };
        }
        if (deviceIdPrefix is not null)
        {
            if (!DeviceIds.IsValid(deviceIdPrefix)) return Refused($"deviceIdPrefix '{deviceIdPrefix}' is not 1-{DeviceIds.MaxLength} lowercase hex digits");
            query = query with { DeviceIdPrefix = deviceIdPrefix };
        }
        return new DeviceListFilter(query);
    }

    private static DeviceListFilter Refused(string problem) => new(new DeviceQuery(), problem);
}
