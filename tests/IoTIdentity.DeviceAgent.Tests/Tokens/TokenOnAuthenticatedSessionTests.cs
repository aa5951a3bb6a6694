using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// Tokens as a device really gets them: the built <c>iotid-agent</c> process, its TPM (a swtpm) straight on its socket
/// (the agent signs the session's handshake itself) and behind tpm2-abrmd so that the agent and OpenSSL's tpm2 provider
/// share it, and a service that answers token requests only on a device's
/// certificate-authenticated MQTT session (<c>Mqtt:RequireAuthenticatedSession</c>). <c>iotid-agent token</c> opens that
/// session itself; with the daemon running, the command and any application ask the daemon's token socket, which asks
/// on the daemon's session. Every token is then presented to the relying party (JwtBearer with our discovery document,
/// the Certificate handler over A's federated bundle set) with the device's TPM-held certificate.
/// </summary>
public sealed class TokenOnAuthenticatedSessionTests(AuthenticatedTokenService tokens) : IClassFixture<AuthenticatedTokenService>
{
    private const string OtherAudience = "https://other.example";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private ServiceFixture Service => tokens.Service;

    private static TokenPolicyView Policy(params string[] scopes) => new()
    {
        Audiences = new Dictionary<string, IReadOnlyList<string>>
        {
            [RelyingParty.Audience] = scopes.Length == 0 ? [RelyingParty.Scope] : scopes, [OtherAudience] = ["other:all"],
        },
    };

    [Fact]
    public async Task The_agents_token_command_and_token_socket_ask_on_the_authenticated_session_and_the_relying_party_takes_only_bound_current_in_scope_federated_tokens()
    {
        await using var a = await tokens.DeviceWithPolicyAsync(Policy());
        await using var b = await tokens.DeviceWithPolicyAsync(Policy());
        var bundles = new FederatedBundleSet(new Uri(Service.BaseAddress, $"/tenants/{a.Tenant.TenantId}/federated-bundles.json"));
        await using var party = await RelyingParty.StartAsync(Service.BaseAddress, [], bundles);

        // straight to the swtpm, which serves one client, the agent cannot lend its key to OpenSSL: it signs the handshake
        // over the TPM connection it holds for the request, and asks on an authenticated session
        var direct = await a.NewAgent().RequestTokenAsync(RelyingParty.Audience, null, null, CancellationToken.None);
        Assert.Equal(RelyingParty.Audience, Claims(direct.Token).GetProperty("aud").GetString());
        Assert.Equal(SessionRecord.AuthenticatedClass, a.NewAgent().Status().Session);
        // with authenticated sessions turned off: an enrolment-only session, on which this service answers no token request
        a.Options.AuthenticatedSessions = false;
        var enrolmentOnly = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => a.NewAgent().RequestTokenAsync(RelyingParty.Audience, null, null, CancellationToken.None));
        Assert.Equal(ProvisioningError.AuthenticationRequired, enrolmentOnly.Error);
        a.Options.AuthenticatedSessions = true;

        await using var abrmdA = await TabrmdProcess.StartAsync(a.Swtpm.DataPort);
        await using var abrmdB = await TabrmdProcess.StartAsync(b.Swtpm.DataPort);
        a.Options.Tpm = b.Options.Tpm = TabrmdProcess.AgentEndpoint;

        // iotid-agent token, no daemon: the command opens the authenticated session itself
        var tokenOfA = await CommandAsync(a, abrmdA, RelyingParty.Audience, viaSocket: false);
        var (status, answer) = await TpmTlsClient.GetAsync(a, abrmdA, party, "/readings", tokenOfA.Token!);
        Assert.True(status == 200, answer);
        Assert.Contains($"readings for urn:iotidentity:device:{a.DeviceId}", answer, StringComparison.Ordinal);
        // the same token without the TPM-held certificate
        Assert.Equal(HttpStatusCode.Forbidden, await party.CallWithoutCertificateAsync(tokenOfA.Token!));
        // a token for another audience, with the bound certificate
        var other = await CommandAsync(a, abrmdA, OtherAudience, viaSocket: false);
        Assert.Equal(401, (await TpmTlsClient.GetAsync(a, abrmdA, party, "/readings", other.Token!)).Status);
        // an expired token, with the bound certificate
        var shortLived = await CommandAsync(a, abrmdA, RelyingParty.Audience, viaSocket: false, "--lifetime", "1");
        Assert.Equal(1, Claims(shortLived.Token!).GetProperty("exp").GetInt64() - Claims(shortLived.Token!).GetProperty("iat").GetInt64());
        var expired = DateTimeOffset.FromUnixTimeSeconds(Claims(shortLived.Token!).GetProperty("exp").GetInt64()) + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (expired > TimeSpan.Zero) await Task.Delay(expired);
        Assert.Equal(401, (await TpmTlsClient.GetAsync(a, abrmdA, party, "/readings", shortLived.Token!)).Status);

        // tenant B's token with B's certificate: B is not federated with A, then it is, then it is not
        var tokenOfB = await CommandAsync(b, abrmdB, RelyingParty.Audience, viaSocket: false);
        Assert.Equal(401, (await TpmTlsClient.GetAsync(b, abrmdB, party, "/readings", tokenOfB.Token!)).Status);
        using (var admin = a.Tenant.Http)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/federation/partner-b", new FederationView { TenantId = b.Tenant.TenantId })).StatusCode);
            (status, answer) = await TpmTlsClient.GetAsync(b, abrmdB, party, "/readings", tokenOfB.Token!);
            Assert.True(status == 200, answer);
            Assert.Contains($"readings for urn:iotidentity:device:{b.DeviceId}", answer, StringComparison.Ordinal);
            // A's token presented with B's certificate, which the relying party now trusts: a certificate, not the bound one
            (status, answer) = await TpmTlsClient.GetAsync(b, abrmdB, party, "/readings", tokenOfA.Token!);
            Assert.True(status == 403, answer);
            Assert.Contains("certificate is not the token's", answer, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/federation/partner-b")).StatusCode);
        }
        Assert.Equal(401, (await TpmTlsClient.GetAsync(b, abrmdB, party, "/readings", tokenOfB.Token!)).Status);

        // the daemon holds A's one session; the command and applications ask its token socket
        a.Options.TokenSocket = Path.Combine(a.Directory, "token.sock");
        await using var daemon = AgentProcess.Start(a, abrmdA.ClientEnvironment, "run");
        await a.AuthenticatedSessionAsync(daemon, Patience, () => $"the daemon's authenticated session:\n{daemon.Output}");
        await AgentHarness.EventuallyAsync(() => Task.FromResult(File.Exists(a.Options.TokenSocket)), Patience, () => $"the daemon's token socket:\n{daemon.Output}");
        var fromSocket = await CommandAsync(a, abrmdA, RelyingParty.Audience, viaSocket: true);
        (status, answer) = await TpmTlsClient.GetAsync(a, abrmdA, party, "/readings", fromSocket.Token!);
        Assert.True(status == 200, answer);
        // an application on the device: the group's policy no longer grants the scope, so its new token lacks it
        await TokenService.PutPolicyAsync(a, Policy("readings:write"));
        var application = await LocalTokenEndpoint.AskAsync(a.Options.TokenSocket, new LocalTokenRequest { Audience = RelyingParty.Audience }, CancellationToken.None);
        Assert.True(application.Token is not null, application.Error);
        Assert.Equal("readings:write", Claims(application.Token!).GetProperty("scope").GetString());
        (status, answer) = await TpmTlsClient.GetAsync(a, abrmdA, party, "/readings", application.Token!);
        Assert.True(status == 403, answer);
        Assert.Contains("scope missing", answer, StringComparison.Ordinal);
        var unlisted = await LocalTokenEndpoint.AskAsync(a.Options.TokenSocket, new LocalTokenRequest { Audience = "https://unlisted.example" }, CancellationToken.None);
        Assert.Equal(nameof(ProvisioningError.AudienceNotAllowed), unlisted.Error);
        // one session throughout, authenticated from the start
        Assert.Single(Lines(daemon.Output, $"Authenticated session as {a.DeviceId}"));
        Assert.Empty(Lines(daemon.Output, "Enrolment-only session as"));

        var issued = (await Service.ReadAuditLogAsync(a.Tenant.TenantId)).Where(e => e.Event.Action == "token" && e.Event.Outcome == "issued").ToList();
        Assert.Equal(6, issued.Count);   // straight to the swtpm, readings, other, short-lived, from the socket by the command and by the application
    }

    /// <summary>
    /// Runs <c>iotid-agent token --audience {audience} --json</c> for <paramref name="device"/> through its tpm2-abrmd and
    /// returns its answer; it asked the daemon's socket, or opened the authenticated session itself.
    /// </summary>
    private static async Task<LocalTokenReply> CommandAsync(AgentHarness device, TabrmdProcess abrmd, string audience, bool viaSocket, params string[] extra)
    {
        await using var agent = AgentProcess.Start(device, abrmd.ClientEnvironment, "token", ["--audience", audience, "--json", .. extra]);
        Assert.True(await agent.WaitForExitAsync(Patience) == 0, agent.Output);
        var output = agent.Output;
        if (viaSocket) Assert.Empty(Lines(output, "session as"));
        else Assert.Single(Lines(output, $"Authenticated session as {device.DeviceId}"));
        // the answer is indented JSON after the log lines
        var lines = output.Split('\n').Select(l => l.TrimEnd()).ToList();
        var start = lines.FindIndex(l => l == "{");
        Assert.True(start >= 0, output);
        var reply = JsonSerializer.Deserialize(string.Join('\n', lines.Skip(start).TakeWhile(l => l != "}").Append("}")), AgentJson.Default.LocalTokenReply)!;
        Assert.Equal(audience, Claims(reply.Token!).GetProperty("aud").GetString());
        return reply;
    }

    private static JsonElement Claims(string jwt) => JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement;

    private static string[] Lines(string output, string containing) =>
        output.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal)).ToArray();
}
