using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// The list of enrolment groups devices are matched against, and the trust epoch resolvers cache group policies and
/// tenant roots by (see <see cref="GroupDirectory.TrustEpoch"/>).
/// </summary>
public sealed class EnrollmentDirectoryGrain(
    [PersistentState("directory", ProvisioningStorage.Name)] IPersistentState<EnrollmentDirectoryState> state) : Grain, IEnrollmentDirectoryGrain
{
    /// <summary>The single directory's key.</summary>
    public const string Key = "all";

    // random per activation, so an epoch read before a deactivation is never taken for one read after it
    private long _trustEpoch = Random.Shared.NextInt64();
    private GroupDirectory? _view;

    public async Task AddAsync(GroupKey group)
    {
        Moved();
        var key = group.ToString();
        if (state.State.Groups.Contains(key)) return;
        state.State = state.State with { Groups = state.State.Groups.Add(key), Version = state.State.Version + 1 };
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(GroupKey group)
    {
        Moved();
        var key = group.ToString();
        if (!state.State.Groups.Contains(key)) return;
        state.State = state.State with { Groups = state.State.Groups.Remove(key), Version = state.State.Version + 1 };
        await state.WriteStateAsync();
    }

    public Task TouchAsync()
    {
        Moved();
        return Task.CompletedTask;
    }

    /// <summary>The view, made once per change (every unscoped first enrolment asks for it), its groups in ordinal order.</summary>
    public Task<GroupDirectory> GetAsync() =>
        Task.FromResult(_view ??= new GroupDirectory(state.State.Version, [.. state.State.Groups.Order(StringComparer.Ordinal).Select(GroupKey.Parse)], _trustEpoch));

    /// <summary>The trust epoch moves and the view is made again (the group list may change with it).</summary>
    private void Moved()
    {
        _trustEpoch++;
        _view = null;
    }
}
