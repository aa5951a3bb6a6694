using System.Collections.Concurrent;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Simulator.Factory;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// What one device's enrolment and renewal ask of the store, and that a challenge lives only in its device's activation:
/// a register writes nothing, an attest writes the device's state once (with its certificate), a renewal reads no claim
/// its device already holds — and no challenge is ever stored, so none outlives its activation (a restart, a store fault
/// in between) or comes back with a state another change wrote. Emulated devices (the simulator's in-process TPM) through
/// the real service's MQTT endpoint and SQLite store.
/// </summary>
public sealed class DeviceStoreCallsTests(FaultyServiceFixture fixture, ITestOutputHelper output) : IClassFixture<FaultyServiceFixture>, IAsyncLifetime
{
    private const int TestTimeout = 180_000;
    private readonly string _fleetDirectory = Directory.CreateTempSubdirectory("iotid-storecalls-").FullName;
    private ServiceFixture Service => fixture.Service;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        fixture.Faults.FailWhen(null);
        Directory.Delete(_fleetDirectory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_first_enrolment_writes_the_device_state_once_and_a_renewal_once_with_no_claim_read_it_already_holds()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "counts"), 1);
        var device = fleet.Devices[0];
        var tenant = await Service.CreateTenantAsync($"sc-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);

        EnrollmentResult enrolled;
        IReadOnlyList<StoreCall> first;
        await using (var enrolmentOnly = await Service.ConnectAsync(device.DeviceId))
            (enrolled, first) = await CountingAsync(device.DeviceId, () => fleet.EnrolAsync(device, enrolmentOnly));
        IReadOnlyList<StoreCall> renewal;
        await using (var authenticated = await Service.ConnectAuthenticatedAsync(fleet, device, enrolled))
        {
            // the session's opening is recorded off the broker's loop (one state write of its own): counted out
            await ConnectedAsync(tenant.TenantId, device.DeviceId);
            (_, renewal) = await CountingAsync(device.DeviceId, () => fleet.RenewAsync(device, authenticated, enrolled));
        }
        output.WriteLine($"first enrolment: {Describe(first)}");
        output.WriteLine($"renewal: {Describe(renewal)}");

        // register writes nothing: the attest's one state write carries the certificate; the key and the serial are claimed once
        Assert.Equal(1, first.Count(c => c is { Operation: "write", Scope: DeviceStateKind }));
        Assert.Equal(1, first.Count(c => c is { Operation: "claim", Scope: EkIdentity.ClaimScope }));
        Assert.Equal(1, first.Count(c => c is { Operation: "claim", Scope: Revocations.SerialScope }));
        // a renewal: one state write, the new serial's claim, and no read or claim of the EK key its device has held since it enrolled
        Assert.Equal(1, renewal.Count(c => c is { Operation: "write", Scope: DeviceStateKind }));
        Assert.Equal(1, renewal.Count(c => c is { Operation: "claim", Scope: Revocations.SerialScope }));
        Assert.DoesNotContain(renewal, c => c.Scope == EkIdentity.ClaimScope);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_first_enrolments_challenge_is_never_stored_and_does_not_outlive_a_restart()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "restart"), 1);
        var device = fleet.Devices[0];
        var tenant = await Service.CreateTenantAsync($"sr-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        AttestRequest held;
        await using (var enrolmentOnly = await Service.ConnectAsync(device.DeviceId))
            held = await TamperingChannel.HeldAttestAsync(enrolmentOnly, channel => fleet.EnrolAsync(device, channel));
        // the register wrote no state for the device (nor anything else a tenant sees)
        Assert.Null(await Service.Store.ReadAsync(DeviceStateKind, device.DeviceId));
        await Refusals.AssertNothingIssuedAsync(Service, tenant, device.DeviceId);

        await Service.RestartAsync();
        await using var again = await Service.ConnectAsync(device.DeviceId);
        await Refusals.ExpectAsync(ProvisioningError.NoChallenge, () => again.AttestAsync(held));
        var enrolled = await fleet.EnrolAsync(device, again);

        Assert.Equal(enrolled.Issued.SerialNumber, (await Service.Store.GetDeviceAsync(tenant.TenantId, device.DeviceId))?.CertificateSerial);
        Assert.Single(await Service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Subject == device.DeviceId && e.Event.Outcome == "issued");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_renewals_open_challenge_survives_another_write_in_its_activation_but_is_not_in_what_that_write_stored()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "write"), 1);
        var device = fleet.Devices[0];
        var tenant = await Service.CreateTenantAsync($"sw-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        using var http = tenant.Http;
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await Service.ConnectAsync(device.DeviceId))
            enrolled = await fleet.EnrolAsync(device, enrolmentOnly);

        // two renewals' registers, then an operator's change written while both challenges are open
        AttestRequest second;
        await using (var session = await Service.ConnectAuthenticatedAsync(fleet, device, enrolled))
        {
            var first = await TamperingChannel.HeldAttestAsync(session, channel => fleet.RenewAsync(device, channel, enrolled));
            second = await TamperingChannel.HeldAttestAsync(session, channel => fleet.RenewAsync(device, channel, enrolled));
            Assert.True((await http.PutAsJsonAsync($"/api/v1/devices/{device.DeviceId}/tags", new { tags = new[] { "site:one" } })).IsSuccessStatusCode);
            var stored = await StoredStateAsync(device.DeviceId);
            Assert.Equal(["site:one"], stored.Tags);
            Assert.Empty(stored.Challenges);
            // the activation still holds them: the first attest is answered
            Assert.NotEqual(enrolled.Issued.SerialNumber, (await session.AttestAsync(first)).SerialNumber);
        }

        // the service restarts: the second challenge, which the write could have carried, went with its activation
        await Service.RestartAsync();
        var reply = await Service.Grains.GetGrain<IDeviceGrain>(device.DeviceId).AttestAsync(new ProtocolRequest<AttestRequest>(second, [], null));
        Assert.Equal(ProvisioningError.NoChallenge, reply.Refusal?.Error);
        Assert.Equal(["site:one"], (await StoredStateAsync(device.DeviceId)).Tags);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_grain_with_an_open_challenge_stays_active_past_its_idle_time_until_the_challenge_expires()
    {
        // idle device grains collected after 2 s, looked for every second: far shorter than the 2-minute challenge
        var service = ServiceFixture.With(new Dictionary<string, string?> { ["Provisioning:DeviceIdleTime"] = "00:00:02" },
            services => services.Configure<Orleans.Configuration.GrainCollectionOptions>(options => options.CollectionQuantum = TimeSpan.FromSeconds(1)));
        await service.InitializeAsync();
        try
        {
            await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "idle"), 2);
            await service.CreateTenantAsync($"si-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
            var (waiting, idle) = (fleet.Devices[0], fleet.Devices[1]);
            Task<bool> ActiveAsync(string deviceId) => DeviceGrainActiveAsync(service.Grains, deviceId);

            await using var client = await service.ConnectAsync(waiting.DeviceId);
            var held = await TamperingChannel.HeldAttestAsync(client, channel => fleet.EnrolAsync(waiting, channel));
            await service.Grains.GetGrain<IDeviceGrain>(idle.DeviceId).GetAsync("nobody"); // a grain with nothing open, beside it
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (await ActiveAsync(idle.DeviceId))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the idle device grain was never collected");
                await Task.Delay(500);
            }
            await Task.Delay(TimeSpan.FromSeconds(3));

            Assert.True(await ActiveAsync(waiting.DeviceId), "the grain holding an open challenge was collected");
            var issued = await client.AttestAsync(held);
            Assert.Equal(waiting.DeviceId, issued.DeviceId);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_grain_leaves_memory_once_its_certificate_is_issued_and_its_next_call_finds_all_it_held()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "leave"), 1);
        var device = fleet.Devices[0];
        var tenant = await Service.CreateTenantAsync($"sl-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await Service.ConnectAsync(device.DeviceId))
            enrolled = await fleet.EnrolAsync(device, enrolmentOnly);
        await LeftMemoryAsync(device.DeviceId);

        // a renewal: a new activation reads the certificate it renews; it holds the challenge until the attest is issued
        await using var session = await Service.ConnectAuthenticatedAsync(fleet, device, enrolled);
        var held = await TamperingChannel.HeldAttestAsync(session, channel => fleet.RenewAsync(device, channel, enrolled));
        Assert.True(await DeviceGrainActiveAsync(device.DeviceId), "the grain holding the open challenge is not active");
        var renewed = await session.AttestAsync(held);
        Assert.NotEqual(enrolled.Issued.SerialNumber, renewed.SerialNumber);
        await LeftMemoryAsync(device.DeviceId);

        // the same attest again (its reply lost): another activation answers it from the stored record, with the same certificate
        Assert.Equal(renewed.SerialNumber, (await session.AttestAsync(held)).SerialNumber);
        await LeftMemoryAsync(device.DeviceId);
        Assert.Equal(renewed.SerialNumber, (await Service.Store.GetDeviceAsync(tenant.TenantId, device.DeviceId))?.CertificateSerial);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_grain_with_another_challenge_open_stays_after_an_issued_attest_until_that_one_is_answered()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "stay"), 1);
        var device = fleet.Devices[0];
        await Service.CreateTenantAsync($"ss-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await Service.ConnectAsync(device.DeviceId))
            enrolled = await fleet.EnrolAsync(device, enrolmentOnly);

        await using var session = await Service.ConnectAuthenticatedAsync(fleet, device, enrolled);
        var first = await TamperingChannel.HeldAttestAsync(session, channel => fleet.RenewAsync(device, channel, enrolled));
        var second = await TamperingChannel.HeldAttestAsync(session, channel => fleet.RenewAsync(device, channel, enrolled));
        var one = await session.AttestAsync(first);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(await DeviceGrainActiveAsync(device.DeviceId), "the grain left memory with a challenge still open");
        var two = await session.AttestAsync(second);
        Assert.NotEqual(one.SerialNumber, two.SerialNumber);
        await LeftMemoryAsync(device.DeviceId);
    }

    /// <summary>
    /// A register refused for a device the store does not know leaves no grain behind: its activation holds nothing, and
    /// a flood of made-up ids would otherwise keep one activation each for the 15-minute idle time. The refusal is the
    /// same on the next attempt.
    /// </summary>
    [Fact(Timeout = TestTimeout)]
    public async Task A_register_refused_for_a_device_the_store_does_not_know_leaves_no_grain_behind()
    {
        // a manufacturer no tenant trusts: every device of it is refused at its register
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "unknown"), 3);
        foreach (var device in fleet.Devices)
        {
            await using var client = await Service.ConnectAsync(device.DeviceId);
            var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => fleet.EnrolAsync(device, client));
            Assert.Equal(ProvisioningError.UntrustedEkCertificate, refused.Error);
        }

        foreach (var device in fleet.Devices)
        {
            await LeftMemoryAsync(device.DeviceId);
        }

        await using (var again = await Service.ConnectAsync(fleet.Devices[0].DeviceId))
        {
            var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => fleet.EnrolAsync(fleet.Devices[0], again));
            Assert.Equal(ProvisioningError.UntrustedEkCertificate, refused.Error);
        }

        await LeftMemoryAsync(fleet.Devices[0].DeviceId);
    }

    /// <summary>
    /// Whatever a stranger sends over the device channel for an id the store does not know — a request the edge cannot
    /// parse (its refusal is recorded by the grain), an attest without a challenge, a token request — leaves no grain
    /// behind, as a refused register does.
    /// </summary>
    [Fact(Timeout = TestTimeout)]
    public async Task Any_request_over_the_channel_for_a_device_the_store_does_not_know_leaves_no_grain_behind()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "strangers"), 5);
        Func<EnrollmentClient, Task>[] requests =
        [
            client => client.RequestRawAsync(Topics.Operations.Register, "not json"u8.ToArray()),
            client => client.RequestRawAsync(Topics.Operations.Attest, "{}"u8.ToArray()),
            client => client.AttestAsync(StrangerAttest),
            client => client.RequestTokenAsync(StrangerToken),
            client => client.RequestRawAsync(Topics.Operations.Token, "[]"u8.ToArray()),
        ];
        for (var i = 0; i < requests.Length; i++)
        {
            var device = fleet.Devices[i];
            await using var client = await Service.ConnectAsync(device.DeviceId);
            await Assert.ThrowsAsync<EnrollmentRefusedException>(() => requests[i](client));
            await LeftMemoryAsync(device.DeviceId);
        }
    }

    /// <summary>
    /// Every call a device's request reaches its grain by (the MQTT endpoint's and the token API's: register, attest,
    /// token, token with a certificate, and a request refused before it could be parsed), made for an id the store does
    /// not know, leaves no grain behind: the rule is the activation's (nothing stored, nothing held), not each
    /// operation's.
    /// </summary>
    [Fact(Timeout = TestTimeout)]
    public async Task Every_device_request_for_an_id_the_store_does_not_know_leaves_no_grain_behind()
    {
        var calls = new Dictionary<string, Func<IDeviceGrain, Task>>
        {
            [nameof(IDeviceGrain.RegisterAsync)] = g => g.RegisterAsync(new ProtocolRequest<RegisterRequest>(StrangerRegister, [], null)),
            [nameof(IDeviceGrain.AttestAsync)] = g => g.AttestAsync(new ProtocolRequest<AttestRequest>(StrangerAttest, [], null)),
            [nameof(IDeviceGrain.RequestTokenAsync)] = g => g.RequestTokenAsync(new ProtocolRequest<TokenRequest>(StrangerToken, [], null)),
            [nameof(IDeviceGrain.RequestTokenWithCertificateAsync)] = g => g.RequestTokenWithCertificateAsync(
                new ProtocolRequest<CertificateTokenRequest>(new CertificateTokenRequest { Audience = "https://relying.example" }, [], null), [1, 2]),
            [nameof(IDeviceGrain.RecordRefusalAsync)] = g => g.RecordRefusalAsync(Topics.Operations.Token, new Refusal(ProvisioningError.MalformedRequest, "bad"), [], null),
        };

        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "every"), calls.Count);
        var ids = calls.Keys.Zip(fleet.Devices, (call, device) => (call, device.DeviceId)).ToList();
        foreach (var (call, deviceId) in ids)
            await calls[call](Service.Grains.GetGrain<IDeviceGrain>(deviceId));

        await LeftMemoryAsync(ids);
    }

    /// <summary>A first enrolment's challenge lives only in its activation, before the store knows the device: a register
    /// for the same id that is refused meanwhile (here a malformed one, as a stranger could send) keeps the activation,
    /// and the device's attest is answered.</summary>
    [Fact(Timeout = TestTimeout)]
    public async Task A_refused_register_beside_a_first_enrolment_s_open_challenge_keeps_it()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "beside"), 1);
        var device = fleet.Devices[0];
        await Service.CreateTenantAsync($"sb-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        await using var client = await Service.ConnectAsync(device.DeviceId);
        var held = await TamperingChannel.HeldAttestAsync(client, channel => fleet.EnrolAsync(device, channel));

        var refused = await Service.Grains.GetGrain<IDeviceGrain>(device.DeviceId).RegisterAsync(new ProtocolRequest<RegisterRequest>(StrangerRegister, [], null));
        Assert.NotNull(refused.Refusal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(await DeviceGrainActiveAsync(device.DeviceId), "the grain holding the open challenge left memory");

        Assert.Equal(device.DeviceId, (await client.AttestAsync(held)).DeviceId);
        await LeftMemoryAsync(device.DeviceId);
    }

    /// <summary>A device the store knows keeps its grain after a refused register, also when the activation learned it
    /// by writing the device's first record itself (no record when it was read): here a first enrolment with two
    /// challenges, one attest issued, the other refused (its challenge spent), then a malformed register.</summary>
    [Fact(Timeout = TestTimeout)]
    public async Task A_device_first_enrolled_in_this_activation_keeps_its_grain_after_a_refused_register()
    {
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_fleetDirectory, "known"), 1);
        var device = fleet.Devices[0];
        await Service.CreateTenantAsync($"sk-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        await using var client = await Service.ConnectAsync(device.DeviceId);
        var first = await TamperingChannel.HeldAttestAsync(client, channel => fleet.EnrolAsync(device, channel));
        var second = await TamperingChannel.HeldAttestAsync(client, channel => fleet.EnrolAsync(device, channel));
        Assert.Equal(device.DeviceId, (await client.AttestAsync(first)).DeviceId);

        var grain = Service.Grains.GetGrain<IDeviceGrain>(device.DeviceId);
        var tampered = second with { QuoteSignature = [.. second.QuoteSignature.Select(b => (byte)~b)] };
        Assert.NotNull((await grain.AttestAsync(new ProtocolRequest<AttestRequest>(tampered, [], null))).Refusal);
        Assert.NotNull((await grain.RegisterAsync(new ProtocolRequest<RegisterRequest>(StrangerRegister, [], null))).Refusal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(await DeviceGrainActiveAsync(device.DeviceId), "the grain of a device the store knows left memory after a refusal");
    }

    private Task<bool> DeviceGrainActiveAsync(string deviceId) => DeviceGrainActiveAsync(Service.Grains, deviceId);

    /// <summary>Whether the silo holds the device's grain activated (Orleans' management grain).</summary>
    private static async Task<bool> DeviceGrainActiveAsync(IGrainFactory grains, string deviceId)
    {
        var deviceType = grains.GetGrain<IDeviceGrain>(deviceId).GetGrainId().Type;
        return (await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null))
            .Any(g => g.GrainId.Type == deviceType && g.GrainId.Key.ToString() == deviceId);
    }

    /// <summary>Waits (up to 10 s, far below the 15-minute idle time) until the device's grain is no longer active.</summary>
    private Task LeftMemoryAsync(string deviceId) => LeftMemoryAsync([("the device", deviceId)]);

    /// <summary>Waits (up to 10 s) until none of the named devices' grains is active; names those that stayed if any did.</summary>
    private async Task LeftMemoryAsync(IReadOnlyList<(string Name, string DeviceId)> devices)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            List<string> stayed = [];
            foreach (var (name, deviceId) in devices)
                if (await DeviceGrainActiveAsync(deviceId)) stayed.Add(name);
            if (stayed.Count == 0) return;
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"these device grains stayed in memory: {string.Join(", ", stayed)}");
            await Task.Delay(100);
        }
    }

    /// <summary>What a stranger can send for any id: a register with no EK, an attest with no challenge behind it, an unsigned token request.</summary>
    private static readonly RegisterRequest StrangerRegister = new() { EkPublic = [1, 2, 3], EkCertificate = [], AkPublic = [] };

    private static readonly AttestRequest StrangerAttest = new()
    {
        Nonce = new byte[32], ActivatedSecret = new byte[32], Quote = [1, 2], QuoteSignature = [3, 4], PcrValues = [],
        DeviceKeyPublic = [5], Certify = [6], CertifySignature = [7], Csr = [8],
    };

    private static readonly TokenRequest StrangerToken = new()
    {
        Audience = "https://relying.example", CertificateSerial = "01", SignedAt = DateTimeOffset.UtcNow, Signature = [1, 2, 3],
    };

    private const string DeviceStateKind = "device.device";

    private async Task<DeviceState> StoredStateAsync(string deviceId) =>
        Service.App.Services.GetRequiredService<Serializer>().Deserialize<DeviceState>((await Service.Store.ReadAsync(DeviceStateKind, deviceId))!.Data)!;

    /// <summary>
    /// The store calls about the device while <paramref name="act"/> runs: its state, inventory row and audit entries, and
    /// every EK-key, serial and TPM claim (the tests of this class enrol one device at a time).
    /// </summary>
    private async Task<(T Result, IReadOnlyList<StoreCall> Calls)> CountingAsync<T>(string deviceId, Func<Task<T>> act)
    {
        var calls = new ConcurrentQueue<StoreCall>();
        fixture.Faults.FailWhen(call =>
        {
            if (call.Key == deviceId || call.Scope is EkIdentity.ClaimScope or Revocations.SerialScope or TpmLinks.ClaimScope) calls.Enqueue(call);
            return false;
        });
        try
        {
            return (await act(), calls.ToList());
        }
        finally
        {
            fixture.Faults.FailWhen(null);
        }
    }

    private async Task ConnectedAsync(string tenantId, string deviceId)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await Service.Store.GetDeviceAsync(tenantId, deviceId))?.Connected != true)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the authenticated session's opening was never recorded");
            await Task.Delay(50);
        }
    }

    private static string Describe(IEnumerable<StoreCall> calls) =>
        string.Join(", ", calls.GroupBy(c => $"{c.Operation} {c.Scope}").Select(g => $"{g.Key} ×{g.Count()}"));
}
