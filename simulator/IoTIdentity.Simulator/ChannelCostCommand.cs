using System.Collections.Concurrent;
using System.Diagnostics;
using IoTIdentity.Benchmarks;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator;

/// <summary>What the channel-cost run uses.</summary>
/// <param name="FleetDirectory">Where the manufacturer CA is kept (the emulated devices are made fresh).</param>
/// <param name="DataDirectory">Under which the service gets a fresh data directory for this run.</param>
/// <param name="ReportDirectory">Where <c>channel-cost.json</c> goes.</param>
/// <param name="Devices">Emulated devices that enrol, then connect and renew in every round.</param>
/// <param name="Rounds">Rounds per kind; the kinds alternate round by round, so drift in the machine's load hits both alike.</param>
/// <param name="Parallel">Connects or renewals in flight at once.</param>
/// <param name="FloorSeconds">Measured time per floor case.</param>
/// <param name="FloorRuns">Timed runs per floor case (median).</param>
/// <param name="Pin">Pin the service to CPU 1 and the generator to CPU 0.</param>
public sealed record ChannelCostOptions(string FleetDirectory, string DataDirectory, string ReportDirectory, int Devices = 100, int Rounds = 3,
    int Parallel = 8, double FloorSeconds = 2, int FloorRuns = 5, bool Pin = true);

/// <summary>One kind of operation measured: how many, and the CPU both processes spent per operation.</summary>
/// <param name="Kind">What was measured.</param>
/// <param name="Operations">Operations that succeeded.</param>
/// <param name="Failed">Operations that failed (not counted in the per-operation figures).</param>
/// <param name="ServiceCpuMilliseconds">The service's CPU per operation.</param>
/// <param name="GeneratorCpuMilliseconds">This process's CPU per operation.</param>
public sealed record ChannelCost(string Kind, int Operations, int Failed, double ServiceCpuMilliseconds, double GeneratorCpuMilliseconds);

/// <summary>The channel-cost report: the floor and the four measured kinds.</summary>
public sealed record ChannelCostReport(string Machine, string LoadAverageAtStart, string LoadAverageAtEnd, IReadOnlyDictionary<string, double> PrimitiveCpuMicroseconds,
    double PlainConnectFloorMicroseconds, double MutualConnectFloorMicroseconds, double RenewalFloorMicroseconds, IReadOnlyList<ChannelCost> Costs);

/// <summary>
/// <c>iotid-sim channel-cost</c>: what mutual TLS costs the service. The service runs as its own process (pinned to
/// CPU 1, the generator to CPU 0); emulated devices enrol, then, in alternating rounds, each device connects and
/// subscribes (as the agent does) and disconnects — without a client certificate (enrolment-only) and with its device
/// certificate (authenticated: the TLS client authentication, the chain to the tenant's issuing CA, the CRL view) —
/// and renews on a held session of each kind. The service's CPU per connect and per renewal of each kind is read from
/// the operating system; the crypto floor is measured in this process in the same run: a connect without a client
/// certificate needs an ECDHE and a signature, one with it three verifications more (the client's CertificateVerify,
/// the device certificate's and the issuing CA's signatures); a renewal needs what an enrolment needs.
/// </summary>
public static class ChannelCostCommand
{
    /// <summary>Plain connect: TLS without a client certificate, CONNECT, SUBSCRIBE, DISCONNECT.</summary>
    public const string PlainConnect = "connect, enrolment-only";

    /// <summary>Mutual connect: the same with the device certificate.</summary>
    public const string MutualConnect = "connect, authenticated (mTLS)";

    /// <summary>A renewal on an enrolment-only session.</summary>
    public const string PlainRenewal = "renewal, enrolment-only session";

    /// <summary>A renewal on the authenticated session.</summary>
    public const string MutualRenewal = "renewal, authenticated session";

    /// <summary>Runs it; 0 when every kind measured at least one operation and none failed.</summary>
    public static async Task<int> RunAsync(ChannelCostOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var report = await MeasureAsync(options, output, cancellationToken);
        return report.Costs.All(c => c.Operations > 0 && c.Failed == 0) ? 0 : 1;
    }

    /// <summary>Measures, prints as it goes, saves <c>channel-cost.json</c> and returns the report.</summary>
    public static async Task<ChannelCostReport> MeasureAsync(ChannelCostOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("build the service first: dotnet build -c Release provisioning/IoTIdentity.Provisioning.Host (same configuration as iotid-sim)");
        if (options.Pin) BenchmarkCommand.PinThisProcess(0);
        var loadAtStart = Machine.LoadAverage();
        output.WriteLine($"IoTIdentity channel cost — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine(Machine.Describe(typeof(ChannelCostCommand).Assembly));
        output.WriteLine($"load average at start: {loadAtStart}");
        output.WriteLine();
        output.WriteLine($"floor: single-threaded in this process, {options.FloorSeconds:0.##} s per case over {options.FloorRuns} runs, median; cpu µs/op");
        Dictionary<string, double> primitives;
        using (var workload = new Workload())
            primitives = Harness.MeasureAll(workload.Cases.Where(c => c.Key is "ecdsa-verify" or "ecdsa-sign" or "ecdh").ToList(),
                TimeSpan.FromSeconds(options.FloorSeconds), options.FloorRuns, output).ToDictionary(f => f.Key, f => f.Value.CpuMicrosPerOp);
        var plainFloor = primitives["ecdh"] + primitives["ecdsa-sign"];
        var mutualFloor = plainFloor + 3 * primitives["ecdsa-verify"];
        var renewalFloor = 4 * primitives["ecdsa-verify"] + primitives["ecdh"] + primitives["ecdsa-sign"];
        output.WriteLine($"floor per connect: enrolment-only (ECDHE + sign) {plainFloor:F0} µs, authenticated (+ 3 verify) {mutualFloor:F0} µs; per renewal (4 verify + ECDH + sign) {renewalFloor:F0} µs");

        var data = Path.Combine(options.DataDirectory, $"channel-cost-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        var totals = new[] { PlainConnect, MutualConnect, PlainRenewal, MutualRenewal }.ToDictionary(k => k, _ => new Totals());
        try
        {
            using var manufacturer = Swtpm.Manufacturing.ManufacturerCa.LoadOrCreate(options.FleetDirectory, Fleet.ManufacturerShape);
            // the renewal on an enrolment-only session is the baseline the authenticated one is compared with: a service that
            // requires the authenticated session refuses it before the grain, so this one is told not to
            await using var service = await ServiceProcess.StartAsync(serviceDll, data, manufacturer.RootDer, cancellationToken,
                arguments: ["--Mqtt:RequireAuthenticatedSession", "false"], cpu: options.Pin ? 1 : null);
            var client = service.ClientOptions;
            await using var fleet = Fleet.CreateEmulated(options.FleetDirectory, options.Devices);
            var (enrolled, results) = await FleetScenarios.FirstBootAsync(fleet, client, cancellationToken);
            output.WriteLine();
            output.WriteLine($"service: its own process{(options.Pin ? ", pinned to CPU 1 (generator on CPU 0)" : "")}; {enrolled.Succeeded} of {options.Devices} emulated devices enrolled;" +
                $" {options.Rounds} rounds of each kind, {options.Parallel} in flight");
            var identities = new ConcurrentDictionary<string, EnrollmentResult>(results);
            var devices = fleet.Devices.Where(d => identities.ContainsKey(d.DeviceId)).ToList();
            for (var round = 0; round < options.Rounds; round++)
            {
                await MeasureAsync(totals[PlainConnect], service, devices, options.Parallel, device => ConnectOnceAsync(device, client, null, cancellationToken), cancellationToken);
                await MeasureAsync(totals[MutualConnect], service, devices, options.Parallel,
                    device => ConnectOnceAsync(device, client, AuthenticatedSessions.CertificateFor(fleet, device, identities[device.DeviceId], DateTimeOffset.UtcNow), cancellationToken),
                    cancellationToken);
                await RenewAsync(totals[PlainRenewal], service, fleet, client, devices, identities, authenticated: false, options.Parallel, cancellationToken);
                await RenewAsync(totals[MutualRenewal], service, fleet, client, devices, identities, authenticated: true, options.Parallel, cancellationToken);
                output.WriteLine($"  round {round + 1}: " + string.Join("; ", totals.Select(t => $"{t.Key} {t.Value.ServicePerOperation:F2} ms")));
            }
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }

        var report = new ChannelCostReport(Machine.Describe(typeof(ChannelCostCommand).Assembly), loadAtStart, Machine.LoadAverage(), primitives,
            plainFloor, mutualFloor, renewalFloor, [.. totals.Select(t => t.Value.ToCost(t.Key))]);
        Print(report, output);
        Directory.CreateDirectory(options.ReportDirectory);
        var path = Path.Combine(options.ReportDirectory, "channel-cost.json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        output.WriteLine($"report: {path}");
        return report;
    }

    /// <summary>One connect as the agent makes it (TLS, CONNECT, SUBSCRIBE), then a clean DISCONNECT; true when it connected as asked.</summary>
    private static async Task<bool> ConnectOnceAsync(FleetDevice device, EnrollmentClientOptions client, SessionCredential? certificate,
        CancellationToken cancellationToken)
    {
        await using var connection = certificate is null
            ? await EnrollmentClient.ConnectAsync(device.DeviceId, client, cancellationToken)
            : await EnrollmentClient.ConnectAsync(device.DeviceId, AuthenticatedSessions.WithCertificate(client, certificate), cancellationToken);
        return connection.IsAuthenticated == certificate is not null;
    }

    /// <summary>Every device connects on a session of the kind asked and stays; then only the renewals are measured.</summary>
    private static async Task RenewAsync(Totals totals, ServiceProcess service, Fleet fleet, EnrollmentClientOptions client, IReadOnlyList<FleetDevice> devices,
        ConcurrentDictionary<string, EnrollmentResult> identities, bool authenticated, int parallel, CancellationToken cancellationToken)
    {
        var sessions = new ConcurrentDictionary<string, EnrollmentClient>();
        try
        {
            await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (device, token) =>
            {
                var certificate = authenticated ? AuthenticatedSessions.CertificateFor(fleet, device, identities[device.DeviceId], DateTimeOffset.UtcNow) : null;
                sessions[device.DeviceId] = certificate is null
                    ? await EnrollmentClient.ConnectAsync(device.DeviceId, client, token)
                    : await EnrollmentClient.ConnectAsync(device.DeviceId, AuthenticatedSessions.WithCertificate(client, certificate), token);
            });
            await MeasureAsync(totals, service, devices, parallel, async device =>
            {
                var session = sessions[device.DeviceId];
                if (session.IsAuthenticated != authenticated) return false;
                var current = identities[device.DeviceId];
                identities[device.DeviceId] = await fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device))
                    .RenewAsync(session, current.DeviceKey, current.Issued.SerialNumber, cancellationToken), cancellationToken);
                return true;
            }, cancellationToken);
        }
        finally
        {
            await Task.WhenAll(sessions.Values.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Runs <paramref name="operation"/> for every device, <paramref name="parallel"/> at a time, with both processes' CPU read around it.</summary>
    private static async Task MeasureAsync(Totals totals, ServiceProcess service, IReadOnlyList<FleetDevice> devices, int parallel,
        Func<FleetDevice, Task<bool>> operation, CancellationToken cancellationToken)
    {
        var (serviceBefore, generatorBefore) = (service.CpuTime, GeneratorCpu());
        var (succeeded, failed) = (0, 0);
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (device, _) =>
        {
            try
            {
                if (await operation(device)) Interlocked.Increment(ref succeeded);
                else Interlocked.Increment(ref failed);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed); // counted and reported; the figures are per operation that succeeded
            }
        });
        totals.Add(succeeded, failed, ((service.CpuTime - serviceBefore) ?? TimeSpan.Zero).TotalMilliseconds, (GeneratorCpu() - generatorBefore).TotalMilliseconds);
    }

    private static void Print(ChannelCostReport report, TextWriter output)
    {
        var costs = report.Costs.ToDictionary(c => c.Kind);
        output.WriteLine();
        output.WriteLine("summary (service CPU per operation; generator in brackets)");
        foreach (var cost in report.Costs)
            output.WriteLine($"  {cost.Kind,-34} {cost.ServiceCpuMilliseconds,7:F2} ms  ({cost.GeneratorCpuMilliseconds:F2} ms)  n={cost.Operations} failed={cost.Failed}");
        var connectAdded = costs[MutualConnect].ServiceCpuMilliseconds - costs[PlainConnect].ServiceCpuMilliseconds;
        var floorAdded = (report.MutualConnectFloorMicroseconds - report.PlainConnectFloorMicroseconds) / 1000;
        output.WriteLine($"  mTLS adds {connectAdded:F2} ms of service CPU per connect ({costs[MutualConnect].ServiceCpuMilliseconds / costs[PlainConnect].ServiceCpuMilliseconds:F2}× the enrolment-only connect);" +
            $" its crypto floor adds {floorAdded:F2} ms ({connectAdded / floorAdded:F1}× the floor)");
        output.WriteLine($"  connect ÷ floor: enrolment-only {costs[PlainConnect].ServiceCpuMilliseconds * 1000 / report.PlainConnectFloorMicroseconds:F1}×," +
            $" authenticated {costs[MutualConnect].ServiceCpuMilliseconds * 1000 / report.MutualConnectFloorMicroseconds:F1}×");
        output.WriteLine($"  renewal on the authenticated session ÷ on an enrolment-only one: {costs[MutualRenewal].ServiceCpuMilliseconds / costs[PlainRenewal].ServiceCpuMilliseconds:F2}×;" +
            $" ÷ renewal floor: {costs[MutualRenewal].ServiceCpuMilliseconds * 1000 / report.RenewalFloorMicroseconds:F1}× and {costs[PlainRenewal].ServiceCpuMilliseconds * 1000 / report.RenewalFloorMicroseconds:F1}×");
        output.WriteLine($"  load average at end: {report.LoadAverageAtEnd}");
    }

    private static TimeSpan GeneratorCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private sealed class Totals
    {
        private int _operations;
        private int _failed;
        private double _service;
        private double _generator;

        public double ServicePerOperation => _service / Math.Max(_operations, 1);

        public void Add(int operations, int failed, double serviceMilliseconds, double generatorMilliseconds) =>
            (_operations, _failed, _service, _generator) = (_operations + operations, _failed + failed, _service + serviceMilliseconds, _generator + generatorMilliseconds);

        public ChannelCost ToCost(string kind) =>
            new(kind, _operations, _failed, _service / Math.Max(_operations, 1), _generator / Math.Max(_operations, 1));
    }
}
