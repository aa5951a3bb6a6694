using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Host.Api;
using Xunit;

namespace IoTIdentity.Provisioning.Tests.Tokens;

/// <summary>What the token-policy API refuses, each for its reason, and that a valid policy round-trips to the grain's form and back.</summary>
public sealed class TokenPoliciesTests
{
    private static TokenPolicyView Valid => new() { Audiences = new Dictionary<string, IReadOnlyList<string>> { ["https://a.example"] = ["read", "write"] } };

    public static TheoryData<string, TokenPolicyView> Invalid => new()
    {
        { "empty audience", Valid with { Audiences = new Dictionary<string, IReadOnlyList<string>> { [""] = [] } } },
        { "control character in audience", Valid with { Audiences = new Dictionary<string, IReadOnlyList<string>> { ["a\u0001"] = [] } } },
        { "scope with a space", Valid with { Audiences = new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["two words"] } } },
        { "empty scope", Valid with { Audiences = new Dictionary<string, IReadOnlyList<string>> { ["a"] = [""] } } },
        { "too many audiences", Valid with { Audiences = Enumerable.Range(0, 65).ToDictionary(i => $"a{i}", _ => (IReadOnlyList<string>)[]) } },
        { "default lifetime too short", Valid with { DefaultLifetimeSeconds = 5 } },
        { "max below default", Valid with { DefaultLifetimeSeconds = 600, MaxLifetimeSeconds = 300 } },
        { "max over a day", Valid with { MaxLifetimeSeconds = 86401 } },
        { "attestation age zero", Valid with { MaxAttestationAgeSeconds = 0 } },
        { "firmware without version", Valid with { MinimumFirmwareRelease = "board" } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_policy_is_refused_with_what_is_wrong(string why, TokenPolicyView policy) =>
        Assert.False(TokenPolicies.Check(policy) is null, why);

    [Fact]
    public void A_valid_policy_passes_and_round_trips()
    {
        var policy = Valid with { RequireMeasuredBootCompliant = true, MinimumFirmwareRelease = "board 1.2", MaxAttestationAgeSeconds = 60, DefaultLifetimeSeconds = 120, MaxLifetimeSeconds = 600 };
        Assert.Null(TokenPolicies.Check(policy));
        var back = TokenPolicies.ToContract(TokenPolicies.ToPolicy(policy));
        Assert.Equal(policy.Audiences.Keys, back.Audiences.Keys);
        Assert.Equal(policy.Audiences["https://a.example"], back.Audiences["https://a.example"]);
        Assert.Equal(policy with { Audiences = back.Audiences }, back);
    }
}
