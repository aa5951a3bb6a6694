using IoTIdentity.Provisioning.Abstractions.Federation;

namespace IoTIdentity.Provisioning.Grains.Federation;

/// <summary>A tenant's federation relationships; each change goes to the tenant's audit log with who made it.</summary>
public sealed class FederationGrain(
    [PersistentState("federation", ProvisioningStorage.Name)] IPersistentState<FederationState> state,
    AuditTrail audit) : Grain, IFederationGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    public Task<IReadOnlyList<FederationRelationship>> ListAsync() => Task.FromResult<IReadOnlyList<FederationRelationship>>(state.State.Relationships);

    public async Task SetAsync(FederationRelationship relationship, string actor)
    {
        var others = state.State.Relationships.RemoveAll(r => r.Name == relationship.Name);
        state.State = state.State with { Relationships = others.Add(relationship).Sort((a, b) => string.CompareOrdinal(a.Name, b.Name)) };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.FederationSet, relationship.Name, "federated", [], actor,
            new Dictionary<string, string> { ["with"] = relationship.TenantId is { } tenant ? $"tenant:{tenant}" : $"bundle:{relationship.BundleUrl}" });
    }

    public async Task<bool> RefreshBundleAsync(string name, string bundle, DateTimeOffset fetchedAt, string actor)
    {
        var index = state.State.Relationships.FindIndex(r => r.Name == name && r.BundleUrl is not null);
        if (index < 0) return false;
        var refreshed = state.State.Relationships[index] with { Bundle = bundle, BundleFetchedAt = fetchedAt };
        state.State = state.State with { Relationships = state.State.Relationships.SetItem(index, refreshed) };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.FederationSet, name, "refreshed", [], actor,
            new Dictionary<string, string> { ["with"] = $"bundle:{refreshed.BundleUrl}" });
        return true;
    }

    public async Task<bool> RemoveAsync(string name, string actor)
    {
        var kept = state.State.Relationships.RemoveAll(r => r.Name == name);
        if (kept.Count == state.State.Relationships.Count) return false;
        state.State = state.State with { Relationships = kept };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.FederationRemove, name, "removed", [], actor);
        return true;
    }
}
