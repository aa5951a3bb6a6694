using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// Failures at or after the service: the network class, the refusals, and how the daemon treats a refusal that
/// needs an operator (recorded, shown by <c>status</c>, not retried like a network error).
/// </summary>
public sealed class AgentFailureTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_closed_broker_port_exits_5_naming_the_broker_settings()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);

        var (code, output) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "enroll", "--broker-port", "1");

        Assert.Equal((int)AgentExitCode.Network, code);
        ExitCodeTests.AssertOneLine(output, "cannot connect to the service at 127.0.0.1:1", "Agent:BrokerHost / Agent:BrokerPort");
    }

    [Fact]
    public async Task A_broker_certificate_the_trust_anchor_does_not_cover_exits_5_naming_the_trust_anchor()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=someone else", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var wrong = Path.Combine(device.Directory, "wrong-ca.pem");
        await File.WriteAllTextAsync(wrong, stranger.ExportCertificatePem());

        var (code, output) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "enroll", "--trust-anchor", wrong);

        Assert.Equal((int)AgentExitCode.Network, code);
        ExitCodeTests.AssertOneLine(output, "TLS with the service", "Agent:TrustAnchorPath (--trust-anchor)", wrong);
    }

    [Fact]
    public async Task A_device_no_enrolment_admits_exits_7_and_status_shows_the_refusal()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        await ForgetEnrolmentAsync(device);

        var (code, output) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "enroll");

        Assert.Equal((int)AgentExitCode.Refused, code);
        ExitCodeTests.AssertOneLine(output, "the service refused the device: NotEnrolled", "ask the operator");
        var status = await StatusAsync(device);
        Assert.Equal("refused", status.GetProperty("condition").GetString());
        Assert.Equal("NotEnrolled", status.GetProperty("refusal").GetString());
    }

    [Fact]
    public async Task The_daemon_records_a_refusal_that_needs_an_operator_and_does_not_retry_it_like_a_network_error()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        await ForgetEnrolmentAsync(device);

        await using var daemon = AgentProcess.Start(device, "run");
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.NewAgent().Status().Condition == "refused"),
            TimeSpan.FromSeconds(60), "status says refused");
        await Task.Delay(TimeSpan.FromSeconds(3));   // with RetryInitial 300 ms a network-style retry would have tried again by now

        Assert.False(daemon.HasExited, daemon.Output);
        var output = daemon.Output;
        Assert.Single(output.Split('\n'), line => line.Contains("refused the device: NotEnrolled", StringComparison.Ordinal));
        Assert.Contains("trying again at", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revocation_from_the_fleet_side_reaches_the_running_daemon_and_status_says_revoked()
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        await using var daemon = AgentProcess.Start(device, "run");
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null), TimeSpan.FromSeconds(60), "the daemon enrolled");

        using (var http = device.Tenant.Http)
        {
            var revoked = await http.PostAsync($"/api/v1/devices/{device.DeviceId}/revoke", JsonContent(new { reason = "keyCompromise" }));
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        }

        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.NewAgent().Status().Condition == "revoked"),
            Lifetime + TimeSpan.FromSeconds(30), () => $"status says revoked:\n{daemon.Output}");
        Assert.Null(device.Store.Load());
        Assert.False(daemon.HasExited, daemon.Output);
        var (_, text) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "status");
        Assert.Contains("Revoked: the identity is deleted", text, StringComparison.Ordinal);
    }

    private static async Task ForgetEnrolmentAsync(AgentHarness device)
    {
        using var http = device.Tenant.Http;
        var deleted = await http.DeleteAsync($"/api/v1/individual-enrollments/{device.DeviceId}");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> StatusAsync(AgentHarness device)
    {
        var (code, output) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "status", "--json");
        Assert.Equal(0, code);
        return JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
