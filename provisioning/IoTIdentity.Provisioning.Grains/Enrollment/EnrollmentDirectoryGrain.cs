using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The list of enrolment groups devices are matched against.</summary>
public sealed class EnrollmentDirectoryGrain(
    [PersistentState("directory", ProvisioningStorage.Name)] IPersistentState<EnrollmentDirectoryState> state) : Grain, IEnrollmentDirectoryGrain
{
    /// <summary>The single directory's key.</summary>
    public const string Key = "all";

    public async Task AddAsync(GroupKey group)
    {
        var key = group.ToString();
        if (state.State.Groups.Contains(key)) return;
        state.State = state.State with { Groups = state.State.Groups.Add(key), Version = state.State.Version + 1 };
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(GroupKey group)
    {
        var key = group.ToString();
        if (!state.State.Groups.Contains(key)) return;
        state.State = state.State with { Groups = state.State.Groups.Remove(key), Version = state.State.Version + 1 };
        await state.WriteStateAsync();
    }

    public Task<GroupDirectory> GetAsync() => Task.FromResult(new GroupDirectory(state.State.Version, [.. state.State.Groups.Select(GroupKey.Parse)]));
}
