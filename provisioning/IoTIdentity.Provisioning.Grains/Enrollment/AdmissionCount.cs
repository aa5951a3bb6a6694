namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable number of devices a tenant or an enrolment group has admitted, a document of its own.</summary>
[GenerateSerializer, Immutable]
public sealed record AdmissionCountState
{
    [Id(0)] public int Count { get; init; }
}

/// <summary>
/// A quota counter kept apart from its owner's other state, so that admitting a device writes a few bytes instead of
/// the tenant's CA, API keys and revocations (which grow with the tenant's life) or the group's policy. Until the
/// counter's own document is first written, the count is the one the owner's state kept before counters had one.
/// </summary>
/// <param name="state">The counter's document.</param>
/// <param name="earlier">The count the owner's state holds from before, read only while the counter has no document.</param>
internal sealed class AdmissionCount(IPersistentState<AdmissionCountState> state, Func<int> earlier)
{
    /// <summary>The state name of a counter's document (one per grain, beside the grain's own state).</summary>
    public const string StateName = "admitted";

    /// <summary>How many devices are admitted.</summary>
    public int Value => state.RecordExists ? state.State.Count : earlier();

    /// <summary>Changes the count by <paramref name="delta"/> (never below zero) and writes it; a write that fails
    /// leaves the count as it was.</summary>
    public async Task ChangeAsync(int delta)
    {
        var before = state.State;
        state.State = new AdmissionCountState { Count = Math.Max(0, Value + delta) };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            throw;
        }
    }

    /// <summary>Deletes the counter's document, for an owner that is deleted (and may be made again, from zero);
    /// call it after the owner's own state is reset, whose earlier count is then zero.</summary>
    public Task DeleteAsync() => state.ClearStateAsync();
}
