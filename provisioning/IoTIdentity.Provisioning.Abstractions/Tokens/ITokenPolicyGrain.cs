namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>A group's token policy (key = "{tenantId}/{groupId}").</summary>
public interface ITokenPolicyGrain : IGrainWithStringKey
{
    /// <summary>The policy, or null when the group issues no tokens.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<TokenPolicy?> GetAsync();

    /// <summary>Creates or replaces the policy; the change is audited in the tenant's log with <paramref name="actor"/>.</summary>
    Task<TokenPolicy> SetAsync(TokenPolicy policy, string actor);

    /// <summary>Removes the policy (the group issues no more tokens); false if there was none. Audited.</summary>
    Task<bool> DeleteAsync(string actor);
}
