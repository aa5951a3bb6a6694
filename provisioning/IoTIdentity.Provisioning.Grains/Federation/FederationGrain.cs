using IoTIdentity.Provisioning.Abstractions.Federation;

namespace IoTIdentity.Provisioning.Grains.Federation;

/// <summary>
/// A tenant's federation relationships; each change goes to the tenant's audit log with who made it. Tenants with an
/// external relationship are kept in the <see cref="IFederationIndexGrain"/> the bundle refresher visits.
/// </summary>
public sealed class FederationGrain(
    [PersistentState("federation", ProvisioningStorage.Name)] IPersistentState<FederationState> state,
    AuditTrail audit) : Grain, IFederationGrain
{
    /// <summary>Who the audit log names for the service's own scheduled fetches.</summary>
    public const string RefresherActor = "service:bundle-refresh";

    private string TenantId => this.GetPrimaryKeyString();

    private IFederationIndexGrain Index => GrainFactory.GetGrain<IFederationIndexGrain>(IFederationIndexGrain.Key);

    public Task<IReadOnlyList<FederationRelationship>> ListAsync() => Task.FromResult<IReadOnlyList<FederationRelationship>>(state.State.Relationships);

    public async Task SetAsync(FederationRelationship relationship, string actor)
    {
        var others = state.State.Relationships.RemoveAll(r => r.Name == relationship.Name);
        state.State = state.State with { Relationships = others.Add(relationship).Sort((a, b) => string.CompareOrdinal(a.Name, b.Name)) };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.FederationSet, relationship.Name, "federated", [], actor,
            new Dictionary<string, string> { ["with"] = relationship.TenantId is { } tenant ? $"tenant:{tenant}" : $"bundle:{relationship.BundleUrl}" });
        await UpdateIndexAsync();
    }

    public async Task<IReadOnlyList<FederationRelationship>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease)
    {
        var relationships = state.State.Relationships;
        var due = relationships.Where(r => r.BundleUrl is not null && (r.NextRefreshAt ?? DateTimeOffset.MinValue) <= now).ToList();
        if (due.Count == 0)
        {
            if (!relationships.Any(r => r.BundleUrl is not null)) await Index.RemoveAsync(TenantId);
            return due;
        }
        foreach (var r in due) relationships = relationships.Replace(r, r with { NextRefreshAt = now + lease });
        state.State = state.State with { Relationships = relationships };
        await state.WriteStateAsync();
        return due;
    }

    public async Task<FederationRelationship?> RecordFetchAsync(string name, string bundleUrl, BundleFetchResult result, string? actor)
    {
        var index = state.State.Relationships.FindIndex(r => r.Name == name && r.BundleUrl == bundleUrl);
        if (index < 0) return null;
        var before = state.State.Relationships[index];
        // a slower fetch finishing after a later one has nothing newer to say
        if (before.LastRefreshAttemptAt is { } last && last > result.AttemptedAt) return before;
        var after = result.Bundle is { } bundle
            ? before with
            {
                Bundle = bundle, BundleFetchedAt = result.AttemptedAt, RefreshHintSeconds = result.RefreshHintSeconds, LastRefreshError = null, RefreshFailures = 0,
                LastRefreshAttemptAt = result.AttemptedAt, NextRefreshAt = result.NextRefreshAt,
            }
            : before with
            {
                LastRefreshError = result.Error ?? "failed", RefreshFailures = before.RefreshFailures + 1,
                LastRefreshAttemptAt = result.AttemptedAt, NextRefreshAt = result.NextRefreshAt,
            };
        state.State = state.State with { Relationships = state.State.Relationships.SetItem(index, after) };
        await state.WriteStateAsync();

        var details = new Dictionary<string, string> { ["with"] = $"bundle:{bundleUrl}" };
        if (result.Bundle is not null)
        {
            if (actor is not null || before.Bundle != result.Bundle || before.RefreshFailures > 0)
                await audit.RecordAsync(TenantId, AuditActions.FederationSet, name, "refreshed", [], actor ?? RefresherActor, details);
        }
        else if (actor is not null || before.RefreshFailures == 0)
        {
            details["error"] = after.LastRefreshError!;
            await audit.RecordAsync(TenantId, AuditActions.FederationSet, name, "refresh-failed", [], actor ?? RefresherActor, details);
        }
        return after;
    }

    public async Task<bool> RemoveAsync(string name, string actor)
    {
        var kept = state.State.Relationships.RemoveAll(r => r.Name == name);
        if (kept.Count == state.State.Relationships.Count) return false;
        state.State = state.State with { Relationships = kept };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.FederationRemove, name, "removed", [], actor);
        await UpdateIndexAsync();
        return true;
    }

    private Task UpdateIndexAsync() =>
        state.State.Relationships.Any(r => r.BundleUrl is not null) ? Index.AddAsync(TenantId) : Index.RemoveAsync(TenantId);
}
