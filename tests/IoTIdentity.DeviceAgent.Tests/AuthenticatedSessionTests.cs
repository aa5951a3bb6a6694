using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol;
using IoTIdentity.TestKit;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The real agent process on its authenticated session: a swtpm behind tpm2-abrmd, shared by the agent's own TPM
/// client (<c>Agent:Tpm = tcti:tabrmd:…</c>) and OpenSSL's tpm2 provider, which signs the TLS 1.3 handshake with the
/// TPM-resident device key. After first boot the agent reconnects with its certificate, renews on that session, keeps it
/// against takeover attempts, and after revocation falls back to enrolment-only, says so, and stops; with an expired
/// certificate it re-enrols on an enrolment-only session and comes back authenticated.
/// </summary>
public sealed class AuthenticatedSessionTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_agent_reconnects_with_its_TPM_key_renews_on_that_session_keeps_it_against_takeovers_and_falls_back_after_revocation()
    {
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromSeconds(60));
        await using var abrmd = await TabrmdProcess.StartAsync(device.Swtpm.DataPort);
        device.Options.Tpm = TabrmdProcess.AgentEndpoint;
        await using var agent = AgentProcess.Start(device, Environment(abrmd), "run");

        // first boot: enrolment-only, then the certificate and its TPM key open an authenticated session the service sees
        await device.AuthenticatedSessionAsync(agent, Patience, () => $"an authenticated session:\n{agent.Output}{agent.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
        var first = device.Store.Load()!.Metadata.SerialNumber;
        Assert.Contains($"Enrolment-only session as {device.DeviceId}: no certificate yet", agent.Output, StringComparison.Ordinal);
        Assert.Contains($"Authenticated session as {device.DeviceId} with certificate {first}", agent.Output, StringComparison.Ordinal);

        // the first certificate and its TPM key, kept for the takeover below once the renewal has replaced them
        var before = Directory.CreateTempSubdirectory("iotid-first-certificate-").FullName;
        var (firstCertificate, firstKey) = (Path.Combine(before, IdentityStore.CertificateFile), Path.Combine(before, IdentityStore.KeyFile));
        File.Copy(device.Store.StablePath(IdentityStore.CertificateFile), firstCertificate);
        File.Copy(device.Store.StablePath(IdentityStore.KeyFile), firstKey);

        // a command and the renewal it asks for ride on that session: a new certificate, no new session
        using (var http = device.Tenant.Http)
        {
            var reattest = await http.PostAsync($"/api/v1/devices/{device.DeviceId}/reattest", null);
            Assert.True(reattest.IsSuccessStatusCode, await reattest.Content.ReadAsStringAsync());
            Assert.Equal("sent", (await reattest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery").GetString());
        }
        // the agent stores the new identity before it logs the renewal, so wait for both
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()?.Metadata.SerialNumber is { } serial && serial != first
            && agent.Output.Contains("(renew)", StringComparison.Ordinal)), Patience, () => $"a renewal:\n{agent.Output}{agent.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
        Assert.Contains("(renew)", agent.Output, StringComparison.Ordinal);
        Assert.Contains("(attest-now)", agent.Output, StringComparison.Ordinal);
        Assert.Single(Lines(agent.Output, "Authenticated session as"));
        Assert.Single(Lines(agent.Output, "Enrolment-only session as"));

        // takeovers: the same client id without a certificate, with the device's own earlier certificate once revoked (its
        // key still in the device's TPM), and with another device's certificate signed in its own TPM
        var noCertificate = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollmentClient.ConnectAsync(device.DeviceId, new EnrollmentClientOptions
        {
            Host = "127.0.0.1", Port = device.Options.BrokerPort, TrustAnchorPath = device.Options.TrustAnchorPath,
        }));
        Assert.Equal("session_held", noCertificate.ConnectReason);
        using (var http = device.Tenant.Http)
        {
            var revokedFirst = await http.PostAsync($"/api/v1/certificates/{first}/revoke", JsonContent.Create(new { reason = "superseded" }));
            Assert.True(revokedFirst.IsSuccessStatusCode, await revokedFirst.Content.ReadAsStringAsync());
        }
        var (revokedCode, revokedReason) = await MqttOverOpenSsl.ConnectAsync(firstCertificate, firstKey, device.Options.TrustAnchorPath!, abrmd,
            device.Options.BrokerPort, device.DeviceId);
        Directory.Delete(before, recursive: true);
        Assert.Equal(0x87, revokedCode);   // Not authorized
        Assert.Equal(MqttConnectRefusals.Certificate, revokedReason);
        // that certificate had authenticated the live session (the renewal on it superseded it, the session stayed), so
        // its revocation closed the session too; the agent opens the next with its current certificate
        await AgentHarness.EventuallyAsync(async () => Lines(agent.Output, "Authenticated session as").Length == 2 && (await device.ServiceViewAsync())?.Connected == true,
            Patience, () => $"a new authenticated session after the first certificate's revocation:\n{agent.Output}{agent.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
        Assert.Contains($"Authenticated session as {device.DeviceId} with certificate {device.Store.Load()!.Metadata.SerialNumber}", agent.Output, StringComparison.Ordinal);
        await using (var other = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(10)))
        {
            await other.NewAgent().EnrollAsync(null, CancellationToken.None);
            await using var otherAbrmd = await TabrmdProcess.StartAsync(other.Swtpm.DataPort);
            var (code, reason) = await MqttOverOpenSsl.ConnectAsync(other, otherAbrmd, device.Options.BrokerPort, device.DeviceId);
            Assert.Equal(0x87, code);   // Not authorized
            Assert.Equal(MqttConnectRefusals.CertificateClientId, reason);
            // the same TLS client with that device's own id is admitted: the refusal above is about the id, not the handshake
            Assert.Equal(0, (await MqttOverOpenSsl.ConnectAsync(other, otherAbrmd, device.Options.BrokerPort, other.DeviceId)).ReasonCode);
        }
        Assert.True((await device.ServiceViewAsync())!.Connected);
        Assert.Equal(2, Lines(agent.Output, "Authenticated session as").Length);

        // revocation closes the session; the certificate is refused once, the agent says so, falls back, and stops
        using (var http = device.Tenant.Http)
        {
            var revoked = await http.PostAsync($"/api/v1/devices/{device.DeviceId}/revoke", JsonContent.Create(new { reason = "keyCompromise" }));
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        }
        // the agent marks the identity revoked before it logs why, so wait for both
        await AgentHarness.EventuallyAsync(() => Task.FromResult(Status(device).Condition == "revoked"
                && agent.Output.Contains("the identity is deleted and the agent waits for 'iotid-agent enroll'", StringComparison.Ordinal)),
            Patience, () => $"status says revoked and the agent says what it waits for:\n{agent.Output}{agent.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
        var output = agent.Output;
        var serial = Lines(output, "The service refused the certificate").Single();
        Assert.Contains("(certificate); falling back to an enrolment-only session", serial, StringComparison.Ordinal);
        Assert.Single(Lines(output, "Enrolment-only session as " + device.DeviceId + ": the service refused the certificate"));
        Assert.False(agent.HasExited, output);
        Assert.False((await device.ServiceViewAsync())!.Connected);
        var (_, status) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "status", "--json");
        var json = JsonDocument.Parse(status[status.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        Assert.Equal("enrolment-only", json.GetProperty("session").GetString());
        Assert.StartsWith("the service refused the certificate", json.GetProperty("sessionReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_session_on_the_devices_TPM_key_while_the_agent_holds_one_is_refused_found_as_a_clone_announced_and_the_device_quarantined()
    {
        await using var watched = await AgentUnderCloneQuarantineAsync();
        var (device, tenant, abrmd, _) = watched;

        // a second connection presents the device's certificate and signs its handshake with the same TPM-resident key
        var (code, reason) = await MqttOverOpenSsl.ConnectAsync(device, abrmd, device.Options.BrokerPort, device.DeviceId);
        Assert.Equal((0x87, Provisioning.Mqtt.MqttRefusals.SecondSession), ((int)code, reason));   // Not authorized

        var finding = await tenant.FindingAsync("CloneSuspected", f => f["remediation"]!.GetValue<string>() == "quarantine");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([device.DeviceId], WatchedTenant.Devices(finding));
        Assert.Equal(("Critical", "second-session"), (finding["severity"]!.GetValue<string>(), finding["evidence"]!["signal"]!.GetValue<string>()));
        Assert.Contains("127.0.0.1", finding["evidence"]!["refused-address"]!.GetValue<string>(), StringComparison.Ordinal);
        var webhook = await tenant.WebhookAsync(findingId);
        Assert.Equal(("CloneSuspected", "quarantine"), (webhook["kind"]!.GetValue<string>(), webhook["remediation"]!.GetValue<string>()));
        Assert.True((await tenant.DeliveryAsync(findingId))["delivered"]!.GetValue<bool>());

        // the hold, audited with the finding; the device view names it; the agent's own session stays
        Assert.Contains(await tenant.AuditAsync(), e => e.Event.Action == "quarantine" && e.Event.Subject == device.DeviceId && e.Event.Details!["finding"] == findingId);
        Assert.Equal(["quarantined"], (await tenant.RemediationsAsync(findingId)).Select(e => e.Event.Outcome));
        var held = await tenant.Http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device.DeviceId}");
        Assert.Equal(findingId, held.GetProperty("quarantineFindingId").GetString());
        Assert.True(held.GetProperty("connected").GetBoolean());

        // an operator releases it: audited, and the view no longer names a hold
        using (var release = await tenant.Http.PostAsync($"/api/v1/devices/{device.DeviceId}/release", null))
            Assert.Equal(System.Net.HttpStatusCode.NoContent, release.StatusCode);
        Assert.Contains(await tenant.AuditAsync(), e => e.Event.Action == "quarantine-release" && e.Event.Subject == device.DeviceId);
        Assert.False((await tenant.Http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device.DeviceId}")).TryGetProperty("quarantineFindingId", out var left)
            && left.ValueKind != JsonValueKind.Null);
    }

    /// <summary>
    /// A device that loses power sends nothing more: no DISCONNECT, not even its kernel's FIN or reset. Here everything
    /// to and from the agent's connection is dropped and the agent is killed; the device boots again and the agent
    /// reconnects at once with its certificate and TPM key. The service asks the old connection whether its peer is
    /// still there, it is not, and the new session is admitted: the first certificate CONNECT succeeds, no clone is
    /// found, nothing is quarantined, and the agent keeps its certificate.
    /// </summary>
    [Fact]
    public async Task A_device_that_loses_power_reconnects_on_its_certificate_at_once_without_a_clone_finding()
    {
        await using var watched = await AgentUnderCloneQuarantineAsync();
        var (device, tenant, abrmd, before) = watched;
        var serial = device.Store.Load()!.Metadata.SerialNumber;

        var port = Assert.Single(VanishingPeer.LocalPortsOf(before.Id, device.Options.BrokerPort));
        using var powerCut = VanishingPeer.Drop(port, device.Options.BrokerPort);
        await before.DisposeAsync();   // killed: its kernel's FIN goes nowhere (disposed again with the rest: a no-op)
        await using var after = AgentProcess.Start(device, Environment(abrmd), "run");

        await device.AuthenticatedSessionAsync(after, Patience, () => $"an authenticated session after the power cut:\n{after.Output}{after.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
        var output = after.Output;
        Assert.Single(Lines(output, $"Authenticated session as {device.DeviceId} with certificate {serial}"));
        Assert.Empty(Lines(output, "refused"));
        Assert.Equal(serial, device.Store.Load()!.Metadata.SerialNumber);
        Assert.DoesNotContain(await tenant.SettledFindingsAsync(), f => WatchedTenant.Devices(f).Contains(device.DeviceId));
        var view = await tenant.Http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device.DeviceId}");
        Assert.False(view.TryGetProperty("quarantineFindingId", out var hold) && hold.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task With_an_expired_certificate_the_agent_re_enrols_on_an_enrolment_only_session_and_comes_back_authenticated()
    {
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromSeconds(20));
        var expired = await device.NewAgent().EnrollAsync(null, CancellationToken.None);   // straight to the swtpm, before tpm2-abrmd holds it
        await AgentHarness.EventuallyAsync(() => Task.FromResult(DateTimeOffset.UtcNow > expired.Metadata.NotAfter), Patience, "the certificate expires");
        await using var abrmd = await TabrmdProcess.StartAsync(device.Swtpm.DataPort);
        device.Options.Tpm = TabrmdProcess.AgentEndpoint;

        await using var agent = AgentProcess.Start(device, Environment(abrmd), "run");

        await device.AuthenticatedSessionAsync(agent, Patience, () => $"an authenticated session after re-enrolment:\n{agent.Output}{agent.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
        var output = agent.Output;
        var serial = expired.Metadata.SerialNumber;
        Assert.Contains($"Enrolment-only session as {device.DeviceId}: the certificate {serial} expired", output, StringComparison.Ordinal);
        Assert.Contains("(enroll)", output, StringComparison.Ordinal);
        var current = device.Store.Load()!.Metadata.SerialNumber;
        Assert.NotEqual(serial, current);
        // the session is opened with the re-enrolled certificate; with a 20 s lifetime the agent may already have renewed
        // on that session by now (no new session), so the store can hold a later serial than the one the session named
        var session = Lines(output, $"Authenticated session as {device.DeviceId} with certificate ").First();
        var enrolled = Lines(output, $"Enrolled device {device.DeviceId} (enroll): serial ").First();
        var sessionSerial = session.Split("with certificate ")[1].Split(' ')[0];
        Assert.NotEqual(serial, sessionSerial);
        Assert.Contains($"(enroll): serial {sessionSerial},", enrolled, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_TPM_behind_a_resource_manager_is_shared_with_OpenSSL_one_that_serves_one_client_signs_over_the_agents_own_connection()
    {
        Assert.Null(Session.SessionCredentials.ProviderTcti("tcti:tabrmd:bus_type=session").WhyNot);
        Assert.Equal("device:/dev/tpmrm0", Session.SessionCredentials.ProviderTcti("device:///dev/tpmrm0").Tcti);
        foreach (var single in new[] { "swtpm://127.0.0.1:2321", "device:///dev/tpm0", "mssim://127.0.0.1:2321" })
        {
            Assert.Contains("serves one client at a time", Session.SessionCredentials.ProviderTcti(single).WhyNot, StringComparison.Ordinal);
            Assert.False(new Session.SessionCredentials(new AgentOptions { Tpm = single }, new IdentityStore("/nonexistent"), new StateMarkers("/nonexistent")).ThroughOpenSsl);
        }
        Assert.True(new Session.SessionCredentials(new AgentOptions { Tpm = "device:///dev/tpmrm0" }, new IdentityStore("/nonexistent"), new StateMarkers("/nonexistent")).ThroughOpenSsl);
    }

    [Fact]
    public void The_session_record_survives_a_restart_and_a_refused_certificate_stays_refused()
    {
        var directory = Directory.CreateTempSubdirectory("iotid-session-").FullName;
        try
        {
            var at = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
            new StateMarkers(directory).MarkSession(new SessionRecord(false, "0a1b", true, at, "the service refused\nthe certificate 0a1b"));

            var read = new StateMarkers(directory).Session;

            Assert.Equal(new SessionRecord(false, "0a1b", true, at, "the service refused the certificate 0a1b"), read);
            var credentials = new Session.SessionCredentials(new AgentOptions { StateDirectory = directory }, new IdentityStore(directory), new StateMarkers(directory));
            Assert.True(credentials.WasRefused("0a1b"));
            Assert.False(credentials.WasRefused("0a1c"));
            Assert.False(credentials.WasRefused(null));
            new StateMarkers(directory).Clear();   // a new identity clears revoked/refused, not the session record
            Assert.NotNull(new StateMarkers(directory).Session);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static AgentStatus Status(AgentHarness device) => device.NewAgent().Status();

    /// <summary>
    /// A device whose tenant quarantines suspected clones, its agent (behind tpm2-abrmd) on its authenticated session.
    /// </summary>
    private async Task<WatchedAgent> AgentUnderCloneQuarantineAsync()
    {
        var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(10));
        WatchedTenant? tenant = null;
        TabrmdProcess? abrmd = null;
        try
        {
            tenant = await WatchedTenant.WatchAsync(device.Tenant);
            await tenant.SetRemediationAsync("CloneSuspected", "Quarantine");
            abrmd = await TabrmdProcess.StartAsync(device.Swtpm.DataPort);
            device.Options.Tpm = TabrmdProcess.AgentEndpoint;
        }
        catch
        {
            if (tenant is not null) await tenant.DisposeAsync();
            await device.DisposeAsync();
            throw;
        }
        var watched = new WatchedAgent(device, tenant, abrmd, AgentProcess.Start(device, Environment(abrmd), "run"));
        try
        {
            await device.AuthenticatedSessionAsync(watched.Agent, Patience, () => $"an authenticated session:\n{watched.Agent.Output}{watched.Agent.ExitNote}\ntpm2-abrmd:\n{abrmd.Output}");
            return watched;
        }
        catch
        {
            await watched.DisposeAsync();
            throw;
        }
    }

    private sealed record WatchedAgent(AgentHarness Device, WatchedTenant Tenant, TabrmdProcess Abrmd, AgentProcess Agent) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Agent.DisposeAsync();
            await Abrmd.DisposeAsync();
            await Tenant.DisposeAsync();
            await Device.DisposeAsync();
        }
    }

    private static Dictionary<string, string> Environment(TabrmdProcess abrmd) => new() { ["DBUS_SESSION_BUS_ADDRESS"] = abrmd.BusAddress };

    private static string[] Lines(string output, string containing) =>
        output.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal)).ToArray();
}
