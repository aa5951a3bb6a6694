using System.Net.Http.Json;
using IoTIdentity.Protocol.Management;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>The built <c>iotid-agent token</c>: it prints the JWT, or says why there is none and exits with the refusal code.</summary>
public sealed class TokenCommandTests(TokenService tokens) : IClassFixture<TokenService>
{
    [Fact]
    public async Task Iotid_agent_token_prints_a_token_for_the_audience_and_exits_7_when_the_service_refuses()
    {
        await using var device = await AgentHarness.StartAsync(tokens.Service, TimeSpan.FromMinutes(30));
        await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        using (var http = device.Tenant.Http)
        {
            var put = await http.PutAsJsonAsync("/api/v1/enrollment-groups/default/token-policy",
                new TokenPolicyView { Audiences = new Dictionary<string, IReadOnlyList<string>> { ["https://cli.example"] = ["x"] } });
            Assert.True(put.IsSuccessStatusCode);
        }

        await using (var agent = AgentProcess.Start(device, "token", null, "--audience", "https://cli.example"))
        {
            Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var jwt = agent.Output.Split('\n').Select(l => l.Trim()).Single(l => l.Count(c => c == '.') == 2 && l.StartsWith("eyJ", StringComparison.Ordinal));
            Assert.Contains("\"aud\":\"https://cli.example\"", Base64UrlEncoder.Decode(jwt.Split('.')[1]), StringComparison.Ordinal);
        }

        await using (var refused = AgentProcess.Start(device, "token", null, "--audience", "https://unlisted.example"))
        {
            Assert.Equal(7, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("AudienceNotAllowed", refused.Output, StringComparison.Ordinal);
        }
    }
}
