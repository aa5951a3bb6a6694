using System.Text;
using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>A group's token policy; every change is written to the tenant's audit log with the policy it set as evidence.</summary>
public sealed class TokenPolicyGrain(
    [PersistentState("token-policy", ProvisioningStorage.Name)] IPersistentState<TokenPolicyState> state,
    AuditTrail audit) : Grain, ITokenPolicyGrain
{
    private GroupKey Key => GroupKey.Parse(this.GetPrimaryKeyString());

    public Task<TokenPolicy?> GetAsync() => Task.FromResult(state.State.Policy);

    public async Task<TokenPolicy> SetAsync(TokenPolicy policy, string actor)
    {
        var stored = policy with { Version = (state.State.Policy?.Version ?? 0) + 1 };
        state.State = state.State with { Policy = stored };
        await state.WriteStateAsync();
        await audit.RecordAsync(Key.TenantId, AuditActions.TokenPolicySet, Key.GroupId, $"version {stored.Version}", Evidence(stored), actor,
            new Dictionary<string, string> { ["audiences"] = string.Join(' ', stored.Audiences.Keys) });
        return stored;
    }

    public async Task<bool> DeleteAsync(string actor)
    {
        if (state.State.Policy is null) return false;
        await state.ClearStateAsync();
        state.State = new TokenPolicyState();
        await audit.RecordAsync(Key.TenantId, AuditActions.TokenPolicyDelete, Key.GroupId, "deleted", [], actor);
        return true;
    }

    /// <summary>The policy as canonical-enough JSON, whose digest the audit entry keeps.</summary>
    private static byte[] Evidence(TokenPolicy policy) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        audiences = policy.Audiences,
        policy.RequireMeasuredBootCompliant,
        policy.MinimumFirmwareRelease,
        maxAttestationAgeSeconds = policy.MaxAttestationAge?.TotalSeconds,
        defaultLifetimeSeconds = policy.DefaultLifetime.TotalSeconds,
        maxLifetimeSeconds = policy.MaxLifetime.TotalSeconds,
    }));
}
