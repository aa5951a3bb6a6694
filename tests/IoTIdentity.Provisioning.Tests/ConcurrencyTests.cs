using System.Diagnostics;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;
using Xunit.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Many devices at once, and one device racing itself: issuance stays exactly-once per device and the audit chain
/// stays whole. A swtpm runs one flow at a time, so devices share a swtpm sequentially and swtpms run concurrently.
/// </summary>
public sealed class ConcurrencyTests(ServiceFixture service, ITestOutputHelper output) : IClassFixture<ServiceFixture>
{
    private const int Tpms = 10;
    private const int DevicesPerTpm = 5;

    [Fact(Timeout = 120_000)]
    public async Task Fifty_devices_enrolling_at_once_each_end_with_exactly_one_active_certificate_and_the_audit_chain_verifies()
    {
        using var manufacturer = ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true });
        var tenant = await service.CreateTenantAsync("fifty", [manufacturer.RootDer]);
        var clock = Stopwatch.StartNew();
        var benches = await Task.WhenAll(Enumerable.Range(0, Tpms).Select(_ => SwtpmBench.StartAsync()));
        var clients = new List<EnrollmentClient>();
        try
        {
            // every device is manufactured and connected before the first one registers
            var fleets = await Task.WhenAll(benches.Select(async bench =>
            {
                var tpm = bench.Tpm;
                var devices = new List<(TpmEnrollment Enrollment, string DeviceId)>();
                for (var i = 0; i < DevicesPerTpm; i++)
                {
                    var enrollment = new TpmEnrollment(tpm, await VirtualDevices.ManufactureAsync(tpm, manufacturer));
                    devices.Add((enrollment, await enrollment.ReadDeviceIdAsync()));
                }
                return devices;
            }));
            var connected = await Task.WhenAll(fleets.Select(fleet => Task.WhenAll(fleet.Select(d => service.ConnectAsync(d.DeviceId, TimeSpan.FromSeconds(60))))));
            clients.AddRange(connected.SelectMany(c => c));
            output.WriteLine($"{Tpms * DevicesPerTpm} devices manufactured and connected after {clock.Elapsed}");

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var results = await Task.WhenAll(fleets.Select((fleet, t) => Task.Run(async () =>
            {
                var issued = new List<EnrollmentResult>();
                for (var i = 0; i < fleet.Count; i++)
                    issued.Add(await fleet[i].Enrollment.EnrollAsync(connected[t][i], deadline.Token));
                return issued;
            })));
            output.WriteLine($"all enrolled after {clock.Elapsed}");

            var enrolled = results.SelectMany(r => r).ToDictionary(r => r.DeviceId);
            Assert.Equal(Tpms * DevicesPerTpm, enrolled.Count);
            var inventory = await service.Store.ListDevicesAsync(tenant.TenantId, new DeviceQuery { PageSize = 100 });
            Assert.Null(inventory.ContinuationToken);
            Assert.Equal(enrolled.Keys.Order(), inventory.Items.Select(d => d.DeviceId).Order());
            Assert.All(inventory.Items, d =>
            {
                Assert.Equal(nameof(DeviceStatus.Active), d.State);
                Assert.Equal(enrolled[d.DeviceId].Issued.SerialNumber, d.CertificateSerial);
            });
            Assert.Equal(inventory.Items.Count, inventory.Items.Select(d => d.CertificateSerial).Distinct().Count());
            var audit = await service.ReadAuditLogAsync(tenant.TenantId);
            Assert.Equal(Tpms * DevicesPerTpm, audit.Count(e => e.Event.Outcome == "issued"));
            var chain = await service.Store.VerifyAuditChainAsync(tenant.TenantId);
            Assert.True(chain.IsValid, chain.Reason);
            Assert.Equal(audit.Count, chain.EntriesChecked);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await Task.WhenAll(benches.Select(b => b.DisposeAsync()));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_device_sending_two_registers_at_once_gets_two_open_challenges_and_exactly_one_certificate()
    {
        await using var bench = await SwtpmBench.StartAsync();
        var (tpm, manufacturer) = (bench.Tpm, bench.Manufacturer);
        var tenant = await service.CreateTenantAsync("twice", [manufacturer.RootDer]);
        var enrollment = new TpmEnrollment(tpm, await VirtualDevices.ManufactureAsync(tpm, manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await service.ConnectAsync(deviceId);
        var channel = new DoubleRegisterChannel(client);

        var result = await enrollment.EnrollAsync(channel);

        Assert.Equal(ProvisioningError.ActivationFailed, channel.StaleAttestRefusal!.Error);
        var view = await service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId);
        Assert.Equal(DeviceStatus.Active, view!.Status);
        Assert.Equal(result.Issued.SerialNumber, view.CertificateSerial);
        Assert.Empty(view.PastSerials);
        var record = await service.Store.GetDeviceAsync(tenant.TenantId, deviceId);
        Assert.Equal(result.Issued.SerialNumber, record!.CertificateSerial);
        var audit = (await service.ReadAuditLogAsync(tenant.TenantId)).Where(e => e.Event.Subject == deviceId).Select(e => e.Event.Outcome).ToList();
        Assert.Equal(2, audit.Count(o => o == "challenged"));
        Assert.Equal(["issued"], audit.Where(o => o == "issued"));
        Assert.True((await service.Store.VerifyAuditChainAsync(tenant.TenantId)).IsValid);
    }

    /// <summary>
    /// Sends each register twice at once. The device's grain handles them one after the other and keeps both
    /// challenges open (a register never voids another). Before handing the device the later one, it answers the
    /// other with garbage: that is refused (ActivationFailed) and spends only its own challenge, or the device's attest fails.
    /// </summary>
    private sealed class DoubleRegisterChannel(IEnrollmentChannel inner) : IEnrollmentChannel
    {
        public EnrollmentRefusedException? StaleAttestRefusal { get; private set; }

        public string DeviceId => inner.DeviceId;

        public async Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default)
        {
            var both = await Task.WhenAll(inner.RegisterAsync(request, cancellationToken), inner.RegisterAsync(request, cancellationToken));
            Assert.NotEqual(both[0].ExpiresAt, both[1].ExpiresAt);
            var (stale, live) = both[0].ExpiresAt < both[1].ExpiresAt ? (both[0], both[1]) : (both[1], both[0]);
            StaleAttestRefusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => inner.AttestAsync(new AttestRequest
            {
                Nonce = stale.Nonce, ActivatedSecret = new byte[32], Quote = [0], QuoteSignature = [0], PcrValues = [],
                DeviceKeyPublic = [0], Certify = [0], CertifySignature = [0], Csr = [0],
            }, cancellationToken));
            return live;
        }

        public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default) =>
            inner.AttestAsync(request, cancellationToken);
    }
}
