using System.Net;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Simulator.Swtpm;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// One device for an agent test: its own swtpm (a fresh EK, so its own device id), a tenant of the shared service
/// that enrols it individually with a certificate lifetime of seconds, and a state directory.
/// </summary>
public sealed class AgentHarness : IAsyncDisposable
{
    private static int _tenants;

    private AgentHarness(ServiceFixture service, SwtpmProcess swtpm, TestTenant tenant, AgentOptions options, string deviceId, string directory)
    {
        Service = service;
        Swtpm = swtpm;
        Tenant = tenant;
        Options = options;
        DeviceId = deviceId;
        Directory = directory;
    }

    public ServiceFixture Service { get; }
    public SwtpmProcess Swtpm { get; }
    public TestTenant Tenant { get; }
    public AgentOptions Options { get; }
    public string DeviceId { get; }
    public string Directory { get; }
    public IdentityStore Store => new(Options.StateDirectory);

    public static async Task<AgentHarness> StartAsync(ServiceFixture service, TimeSpan lifetime)
    {
        var swtpm = await SwtpmProcess.StartAsync(new SwtpmOptions { FreshEndorsementKey = true });
        await swtpm.ReleaseTransportAsync();
        var directory = System.IO.Directory.CreateTempSubdirectory("iotid-agent-test-").FullName;
        var intermediates = Path.Combine(directory, "ek-intermediates.pem");
        await File.WriteAllTextAsync(intermediates, IdentityStore.CertificatePem([swtpm.ManufacturerCa.IntermediateDer]));
        var options = new AgentOptions
        {
            Tpm = swtpm.Endpoint,
            Ek = "rsa",
            EkIntermediatesPath = intermediates,
            BrokerHost = "127.0.0.1",
            BrokerPort = service.Mqtt.TlsPort,
            TrustAnchorPath = Path.Combine(directory, "mqtt-trust.pem"),
            StateDirectory = Path.Combine(directory, "state"),
            RetryInitial = TimeSpan.FromMilliseconds(300),
            RetryMax = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(15),
        };
        var harness = new AgentHarness(service, swtpm, null!, options, "", directory);
        await harness.WriteTrustAnchorAsync();
        var deviceId = await new IdentityAgent(options, NullLogger<IdentityAgent>.Instance).ReadDeviceIdAsync(CancellationToken.None);
        var tenant = await service.CreateTenantAsync($"a{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20],
            [swtpm.ManufacturerCa.RootDer], p => p with { CertificateLifetime = lifetime, IndividualOnly = true });
        var put = await tenant.Http.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        // every test's swtpm shares one manufacturer CA that many test tenants trust: the agent names its owner's scope,
        // and within it only the individual enrolment admits the device (so deleting it leaves the device NotEnrolled)
        options.EnrollmentScope = tenant.TenantId;
        return new AgentHarness(service, swtpm, tenant, options, deviceId, directory);
    }

    public IdentityAgent NewAgent() => new(Options, NullLogger<IdentityAgent>.Instance);

    public AgentDaemon NewDaemon() => new(NewAgent(), new CommandVerifier(), NullLogger<AgentDaemon>.Instance);

    /// <summary>The service's MQTT certificate as the agent's trust anchor (again after a restart: it may change).</summary>
    public Task WriteTrustAnchorAsync() =>
        File.WriteAllTextAsync(Options.TrustAnchorPath!, IdentityStore.CertificatePem([Service.MqttTrustAnchor.RawData]));

    /// <summary>What the operator's API says about the device, read as the management contract (enums as strings, as the API writes them).</summary>
    public async Task<IoTIdentity.Protocol.Management.DeviceDetails?> ServiceViewAsync()
    {
        using var http = Tenant.Http;
        return await http.GetFromJsonAsync<IoTIdentity.Protocol.Management.DeviceDetails>($"/api/v1/devices/{DeviceId}", ContractJson);
    }

    /// <summary>
    /// Waits until <paramref name="agent"/> holds an authenticated session: its status says so, the service sees the
    /// device connected, and its log has said so. The agent marks its status before it logs, and its log reaches the
    /// test later still, so a wait on the status alone can end before the line is there.
    /// </summary>
    public Task AuthenticatedSessionAsync(AgentProcess agent, TimeSpan timeout, Func<string> what) =>
        EventuallyAsync(async () => NewAgent().Status().Session == SessionRecord.AuthenticatedClass
            && agent.Output.Contains($"Authenticated session as {DeviceId} ", StringComparison.Ordinal)
            && (await ServiceViewAsync())?.Connected == true, timeout, what);

    private static readonly System.Text.Json.JsonSerializerOptions ContractJson =
        new(System.Text.Json.JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => EventuallyAsync(condition, timeout, () => what);

    /// <summary>
    /// Waits for <paramref name="condition"/>; at the timeout fails with <paramref name="what"/> as it reads then — a
    /// process's output must be read at the end of the wait, not at its start, or the failure shows none of what the
    /// process said meanwhile.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout}: {what()}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Swtpm.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
