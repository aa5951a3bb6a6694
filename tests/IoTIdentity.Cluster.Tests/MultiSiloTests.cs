using System.Collections.Concurrent;
using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.TestKit;
using Xunit.Abstractions;

namespace IoTIdentity.Cluster.Tests;

/// <summary>
/// Three real service processes (the built <c>iotid-service</c>) on loopback form one Orleans cluster through the
/// Cosmos membership table and share grain state, inventory, claims and audit on one cosmosdb-server; each runs its
/// own embedded MQTT endpoint. Devices with real swtpm EKs (the simulator's fleet) enrol through all three while one
/// silo is killed.
/// </summary>
[Collection(CosmosServerCollection.Name)]
public sealed class MultiSiloTests(CosmosServerFixture cosmos, ITestOutputHelper output)
{
    private const int Devices = 30;
    private const int Swtpms = 6;
    private const string Tenant = "dev";

    [Fact]
    public async Task A_silo_killed_mid_enrolment_storm_loses_no_device_and_no_serial_is_issued_twice()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancellationToken = timeout.Token;
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("iotid-service.dll not found: dotnet build provisioning/IoTIdentity.Provisioning.Host");
        var work = Directory.CreateTempSubdirectory("iotid-cluster-").FullName;
        var store = Options($"cluster-{Guid.NewGuid():N}");
        var shared = SharedConfiguration(store, clusterId: $"c{Guid.NewGuid():N}");
        var silos = new List<ServiceProcess>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(work, "fleet"), Devices, Swtpms, cancellationToken);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {Devices} devices on {Swtpms} swtpm processes manufactured");
            // The first silo creates the dev tenant and its group; the other two join the cluster it formed.
            silos.Add(await ServiceProcess.StartAsync(serviceDll, Path.Combine(work, "silo-0"), fleet.Manufacturer.RootDer,
                cancellationToken, shared));
            silos.AddRange(await Task.WhenAll(Enumerable.Range(1, 2).Select(i => ServiceProcess.StartAsync(serviceDll,
                Path.Combine(work, $"silo-{i}"), fleet.Manufacturer.RootDer, cancellationToken,
                [.. shared, "--Provisioning:BootstrapDevTenant", "false"]))));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: three silos up");

            const int victim = 1;
            var storm = new EnrolmentStorm(fleet, silos, cancellationToken);
            var kill = Task.Run(async () =>
            {
                await storm.WaitForCompletedAsync(Devices / 4);
                silos[victim].Kill();
                storm.Killed(victim);
                output.WriteLine($"killed silo {victim} after {storm.Completed} enrolments");
            }, cancellationToken);

            var results = await Task.WhenAll(fleet.Devices.Select((device, i) => storm.EnrolAsync(device, firstSilo: i % silos.Count)));
            await kill;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: every device enrolled");
            foreach (var line in storm.Failures) output.WriteLine(line);

            // Devices enrolled through every silo, and those cut off by the kill finished elsewhere.
            Assert.Equal(3, results.Select(r => r.Silo).Distinct().Count());
            Assert.Contains(storm.Failures, f => f.StartsWith($"silo {victim}:", StringComparison.Ordinal));

            using var records = await CosmosProvisioningStore.OpenAsync(store, cancellationToken);
            await AssertOneActiveCertificatePerDeviceAsync(records, results);
            await AssertNoSerialIssuedTwiceAsync(records);
            var chain = await records.VerifyAuditChainAsync(Tenant, cancellationToken);
            Assert.True(chain.IsValid, $"audit chain of '{Tenant}' broken at {chain.FirstBrokenSequence}: {chain.Reason}");
        }
        catch
        {
            foreach (var (silo, i) in silos.Select((s, i) => (s, i))) output.WriteLine($"--- silo {i} ---\n{silo.Output}");
            throw;
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The inventory lists every device as Active with exactly the certificate the device ended up holding.</summary>
    private static async Task AssertOneActiveCertificatePerDeviceAsync(IProvisioningStore records, Enrolled[] results)
    {
        var page = await records.ListDevicesAsync(Tenant, new DeviceQuery { PageSize = StoreLimits.MaxPageSize });
        Assert.Null(page.ContinuationToken);
        Assert.Equal(results.Select(r => r.DeviceId).Order(), page.Items.Select(d => d.DeviceId).Order());
        foreach (var result in results)
        {
            var record = page.Items.Single(d => d.DeviceId == result.DeviceId);
            Assert.Equal("Active", record.State);
            Assert.Equal(result.Serial, record.CertificateSerial);
            Assert.Equal(result.DeviceId, await records.GetClaimOwnerAsync("serial", result.Serial));
        }
    }

    /// <summary>Every issuance in the audit log has its own serial, claimed by the device it was issued to.</summary>
    private static async Task AssertNoSerialIssuedTwiceAsync(IProvisioningStore records)
    {
        var issued = new List<(string Device, string Serial)>();
        for (long from = 1; ; )
        {
            var entries = await records.ReadAuditAsync(Tenant, from, StoreLimits.MaxPageSize);
            issued.AddRange(entries
                .Where(e => e.Event is { Action: "attest", Outcome: "issued" } && e.Event.Details?.ContainsKey("completed") != true)
                .Select(e => (e.Event.Subject, e.Event.Details!["serial"])));
            if (entries.Count < StoreLimits.MaxPageSize) break;
            from = entries[^1].Sequence + 1;
        }

        Assert.True(issued.Count >= Devices, $"only {issued.Count} issuances audited");
        var repeated = issued.GroupBy(i => i.Serial).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"serials issued twice: {string.Join(", ", repeated)}");
        foreach (var (device, serial) in issued)
        {
            Assert.Equal(device, await records.GetClaimOwnerAsync("serial", serial));
        }
    }

    /// <summary>What every silo of the cluster is configured with: Cosmos storage and clustering, one shared KEK.</summary>
    private static List<string> SharedConfiguration(CosmosStoreOptions store, string clusterId) =>
    [
        "--Storage:Provider", "cosmos",
        "--Storage:Cosmos:Endpoint", store.Endpoint.ToString(),
        "--Storage:Cosmos:Key", store.Key,
        "--Storage:Cosmos:Database", store.Database,
        "--Storage:Cosmos:AcceptAnyServerCertificate", "true",
        "--Storage:Cosmos:AnswerQueryPlansLocally", "true",
        "--Orleans:Clustering", "cosmos",
        "--Orleans:ClusterId", clusterId,
        "--Orleans:AdvertisedIP", "127.0.0.1",
        "--Provisioning:KeyEncryption:Current:KeyId", "cluster-test",
        "--Provisioning:KeyEncryption:Current:Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    ];

    private CosmosStoreOptions Options(string database) => cosmos.StoreOptions(database);

    /// <summary>One device's successful enrolment: through which silo, when, and the serial it holds.</summary>
    private sealed record Enrolled(string DeviceId, int Silo, string Serial);

    /// <summary>
    /// Every device enrols with the real device-side code on its own MQTT connection; a device whose attempt fails
    /// (connection lost, timeout, a refusal while the cluster recovers) enrols again from the start through the
    /// next silo that was not killed.
    /// </summary>
    private sealed class EnrolmentStorm(Fleet fleet, IReadOnlyList<ServiceProcess> silos, CancellationToken cancellationToken)
    {
        private const int MaxAttempts = 40;
        private readonly ConcurrentDictionary<int, bool> _killed = new();
        private int _completed;
        private readonly int[] _completedPerSilo = new int[silos.Count];

        public int Completed => Volatile.Read(ref _completed);

        public ConcurrentQueue<string> Failures { get; } = new();

        public void Killed(int silo) => _killed[silo] = true;

        /// <summary>Until <paramref name="count"/> devices have enrolled, and at least one through every silo (so the victim served some).</summary>
        public async Task WaitForCompletedAsync(int count)
        {
            while (Completed < count || _completedPerSilo.Any(c => c == 0)) await Task.Delay(50, cancellationToken);
        }

        public async Task<Enrolled> EnrolAsync(FleetDevice device, int firstSilo)
        {
            for (var attempt = 0; ; attempt++)
            {
                var silo = Enumerable.Range(firstSilo + attempt, silos.Count).Select(s => s % silos.Count).First(s => !_killed.ContainsKey(s));
                try
                {
                    var options = silos[silo].ClientOptions;
                    options.RequestTimeout = TimeSpan.FromSeconds(20);
                    await using var client = await EnrollmentClient.ConnectAsync(device.DeviceId, options, cancellationToken);
                    var result = await fleet.RunOnSlotAsync(device.Slot,
                        tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(client, cancellationToken), cancellationToken);
                    Interlocked.Increment(ref _completedPerSilo[silo]);
                    Interlocked.Increment(ref _completed);
                    return new Enrolled(device.DeviceId, silo, result.Issued.SerialNumber);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && attempt < MaxAttempts)
                {
                    Failures.Enqueue($"silo {silo}: {device.DeviceId[..12]} attempt {attempt + 1}: {e.GetType().Name}: {e.Message}");
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Min(attempt + 1, 8)), cancellationToken);
                }
            }
        }
    }
}
