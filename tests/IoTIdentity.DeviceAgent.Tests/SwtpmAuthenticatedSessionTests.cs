using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The real agent process straight on a swtpm socket — a TPM that serves one client at a time, no resource manager, so
/// OpenSSL cannot share it — against a service that requires authenticated sessions for renewals
/// (<c>Mqtt:RequireAuthenticatedSession</c>). The agent signs its TLS 1.3 handshake with the device key over its own TPM
/// connection: <c>iotid-agent rotate</c> holds the TPM while it connects, and the daemon reconnects with a lease of its
/// own. A certificate the service refuses is presented once, and the agent falls back to an enrolment-only session.
/// </summary>
public sealed class SwtpmAuthenticatedSessionTests(SwtpmAuthenticatedSessionTests.AuthenticatedService service)
    : IClassFixture<SwtpmAuthenticatedSessionTests.AuthenticatedService>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>A service that refuses renewals and tokens on enrolment-only sessions.</summary>
    public sealed class AuthenticatedService : IAsyncLifetime
    {
        public ServiceFixture Fixture { get; } = ServiceFixture.With(new Dictionary<string, string?> { ["Mqtt:RequireAuthenticatedSession"] = "true" });

        public Task InitializeAsync() => Fixture.InitializeAsync();

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    [Fact]
    public async Task On_a_swtpm_socket_the_agent_signs_its_session_itself_and_rotates_on_it_from_the_command_line_and_as_a_daemon()
    {
        await using var device = await AgentHarness.StartAsync(service.Fixture, TimeSpan.FromMinutes(10));
        Assert.StartsWith("swtpm://", device.Options.Tpm, StringComparison.Ordinal);

        // first boot: enrolment-only, which admits enrolment
        var (code, output) = await RunAsync(device, "enroll");
        Assert.True(code == 0, output);
        Assert.Single(Lines(output, $"Enrolment-only session as {device.DeviceId}: no certificate yet"));
        var first = device.Store.Load()!.Metadata.SerialNumber;

        // a rotation holds the TPM while it connects: the handshake is signed over that one connection, and the renewal
        // rides on the authenticated session the service requires
        (code, output) = await RunAsync(device, "rotate");
        Assert.True(code == 0, output);
        Assert.Single(Lines(output, $"Authenticated session as {device.DeviceId} with certificate {first}"));
        Assert.Empty(Lines(output, "Enrolment-only session as"));
        Assert.Contains("(renew)", output, StringComparison.Ordinal);
        var second = device.Store.Load()!.Metadata.SerialNumber;
        Assert.NotEqual(first, second);

        // the daemon connects with a TPM lease of its own; a command and the renewal it asks for ride on that session
        await using var agent = AgentProcess.Start(device, "run");
        await device.AuthenticatedSessionAsync(agent, Patience, () => $"an authenticated session:\n{agent.Output}");
        using (var http = device.Tenant.Http)
        {
            var reattest = await http.PostAsync($"/api/v1/devices/{device.DeviceId}/reattest", null);
            Assert.True(reattest.IsSuccessStatusCode, await reattest.Content.ReadAsStringAsync());
        }
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()?.Metadata.SerialNumber is { } serial && serial != second
            && agent.Output.Contains("(renew)", StringComparison.Ordinal)), Patience, () => $"a renewal:\n{agent.Output}");
        Assert.Contains("(attest-now)", agent.Output, StringComparison.Ordinal);
        Assert.Single(Lines(agent.Output, "Authenticated session as"));
        Assert.Empty(Lines(agent.Output, "Enrolment-only session as"));
        Assert.Empty(Lines(agent.Output, "AuthenticationRequired"));
    }

    [Fact]
    public async Task A_revoked_certificate_is_presented_once_then_the_agent_re_enrols_on_an_enrolment_only_session_and_authenticates_with_the_new_one()
    {
        await using var device = await AgentHarness.StartAsync(service.Fixture, TimeSpan.FromMinutes(10));
        var first = (await device.NewAgent().EnrollAsync(null, CancellationToken.None)).Metadata.SerialNumber;
        using (var http = device.Tenant.Http)
        {
            var revoked = await http.PostAsync($"/api/v1/certificates/{first}/revoke", JsonContent.Create(new { reason = "superseded" }));
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        }

        // the refused certificate: an enrolment-only session, on which this service refuses the renewal, so the agent
        // enrols again from the EK — without presenting that certificate a second time
        var (code, output) = await RunAsync(device, "rotate");
        Assert.True(code == 0, output);
        Assert.Contains("(certificate); falling back to an enrolment-only session", Lines(output, $"The service refused the certificate {first}").Single(), StringComparison.Ordinal);
        Assert.Contains($"The service refused the renewal of {first} (AuthenticationRequired); re-enrolling", output, StringComparison.Ordinal);
        Assert.Single(Lines(output, $"Enrolment-only session as {device.DeviceId}: the service refused the certificate {first} (certificate)"));
        Assert.Single(Lines(output, $"Enrolment-only session as {device.DeviceId}: the service refused the certificate {first}; it is not presented again"));
        Assert.Empty(Lines(output, "Authenticated session as"));
        Assert.Contains("(enroll)", output, StringComparison.Ordinal);
        var json = await StatusJsonAsync(device);
        Assert.Equal("enrolment-only", json.GetProperty("session").GetString());
        var second = device.Store.Load()!.Metadata.SerialNumber;
        Assert.NotEqual(first, second);

        // the new certificate opens an authenticated session again
        (code, output) = await RunAsync(device, "rotate");
        Assert.True(code == 0, output);
        Assert.Single(Lines(output, $"Authenticated session as {device.DeviceId} with certificate {second}"));
        Assert.Contains("(renew)", output, StringComparison.Ordinal);
        Assert.Equal("authenticated", (await StatusJsonAsync(device)).GetProperty("session").GetString());
    }

    private static async Task<(int Code, string Output)> RunAsync(AgentHarness device, string verb)
    {
        await using var agent = AgentProcess.Start(device, verb);
        var code = await agent.WaitForExitAsync(Patience);
        return (code, agent.Output);
    }

    private static async Task<JsonElement> StatusJsonAsync(AgentHarness device)
    {
        var (_, status) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "status", "--json");
        return JsonDocument.Parse(status[status.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
    }

    private static string[] Lines(string output, string containing) =>
        output.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal)).ToArray();
}
