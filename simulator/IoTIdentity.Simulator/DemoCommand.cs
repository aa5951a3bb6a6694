using System.Diagnostics;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Simulator;

/// <summary>What the demo runs with.</summary>
/// <param name="Devices">How many devices enrol.</param>
/// <param name="DataDirectory">The service's data directory.</param>
/// <param name="Urls">Where the HTTP API listens.</param>
/// <param name="MqttPort">The MQTT TLS port (0: any free port).</param>
/// <param name="KeepRunning">Keep the service up after the summary, until Ctrl+C, so the keys it printed stay useful.</param>
public sealed record DemoOptions(int Devices, string DataDirectory, string Urls, int MqttPort, bool KeepRunning = false);

/// <summary>
/// The one-command demo: the service in-process on its embedded defaults (one silo, SQLite, TLS MQTT, dev tenant),
/// a handful of devices each with its own swtpm provisioned by swtpm_setup (EK certificates from a local
/// "manufacturer" CA the dev tenant is told to trust), all enrolling at once over MQTT, then a summary.
/// </summary>
public static class DemoCommand
{
    /// <summary>Runs the demo; 0 when every device got a certificate.</summary>
    public static async Task<int> RunAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        if (BusyPorts.Find(options.Urls, options.MqttPort) is { } busy)
        {
            Console.Error.WriteLine($"iotid-sim demo: {busy}");
            return 2;
        }
        SwtpmTools.RequireAll();
        var swtpms = new List<SwtpmProcess>();
        try
        {
            Console.WriteLine($"[demo] manufacturing {options.Devices} devices (one swtpm each, EK certificates by swtpm_setup)");
            var started = Stopwatch.StartNew();
            swtpms.AddRange(await SwtpmProcess.StartAllAsync(Enumerable.Range(0, options.Devices)
                .Select(_ => new SwtpmOptions { FreshEndorsementKey = true }), cancellationToken));
            Console.WriteLine($"[demo] manufactured in {started.Elapsed.TotalSeconds:F1} s");

            Console.WriteLine($"[demo] starting the service (data in {Path.GetFullPath(options.DataDirectory)}); its dev tenant trusts the manufacturer root");
            await using var service = await ServiceTarget.StartInProcessAsync(options.DataDirectory, swtpms[0].ManufacturerCa.RootDer, cancellationToken,
                settings: new Dictionary<string, string?>
                {
                    ["Urls"] = options.Urls, ["Mqtt:TlsPort"] = options.MqttPort.ToString(),
                    // no configured administrator key: the service makes one on its first start and prints it, for the user
                    ["Provisioning:ServiceAdminKeyHash"] = null,
                });

            started.Restart();
            var outcomes = await Task.WhenAll(swtpms.Select((swtpm, i) => EnrolAsync(swtpm, i, service.ClientOptions, cancellationToken)));
            var elapsed = started.Elapsed;

            Console.WriteLine();
            Console.WriteLine($"{"device",-64} {"EK",-10} {"owner",-6} {"valid until",-22} {"ms",6}  outcome");
            foreach (var o in outcomes)
                Console.WriteLine($"{o.DeviceId,-64} {o.EkKind,-10} {o.Owner,-6} {o.NotAfter,-22} {o.Milliseconds,6:F0}  {o.Result}");
            var enrolled = outcomes.Count(o => o.Result == "enrolled");
            Console.WriteLine();
            Console.WriteLine($"[demo] {enrolled} of {outcomes.Length} devices enrolled in {elapsed.TotalSeconds:F1} s; each certificate is for a key that never leaves its TPM.");
            Console.WriteLine();
            var api = await service.GetApiAsync(cancellationToken);
            foreach (var line in DemoNextSteps.Lines(options, api?.BaseAddress ?? new Uri(options.Urls), service.ClientOptions.Port, service.DevCertificatePath,
                outcomes.Select(o => o.DeviceId).FirstOrDefault(), ServiceTarget.OwnerKeyFile))
                Console.WriteLine(line);
            var code = enrolled == outcomes.Length ? 0 : 1;
            if (!options.KeepRunning) return code;
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("[demo] stopping the service");
            }
            return code;
        }
        finally
        {
            foreach (var swtpm in swtpms) await swtpm.DisposeAsync();
        }
    }

    private sealed record Outcome(string DeviceId, string EkKind, string Owner, string? Serial, string NotAfter, double Milliseconds, string Result);

    private static async Task<Outcome> EnrolAsync(SwtpmProcess swtpm, int index, EnrollmentClientOptions clientOptions, CancellationToken cancellationToken)
    {
        var rsa = index % 2 == 0;
        var options = (rsa ? TpmEnrollmentOptions.RsaEk() : TpmEnrollmentOptions.EccP384Ek()) with { EkIntermediates = [swtpm.ManufacturerCa.IntermediateDer] };
        var tpm = new TpmClient(swtpm.Transport, ownsTransport: false);
        var enrollment = new TpmEnrollment(tpm, options);
        var deviceId = await enrollment.ReadDeviceIdAsync(cancellationToken);
        var kind = rsa ? "RSA-2048" : "ECC P-384";
        var clock = Stopwatch.StartNew();
        try
        {
            await using var client = await EnrollmentClient.ConnectAsync(deviceId, clientOptions, cancellationToken);
            var result = await enrollment.EnrollAsync(client, cancellationToken);
            return new Outcome(deviceId, kind, result.Issued.Owner, result.Issued.SerialNumber, result.Issued.NotAfter.ToString("u"), clock.Elapsed.TotalMilliseconds, "enrolled");
        }
        catch (EnrollmentRefusedException e)
        {
            return new Outcome(deviceId, kind, "-", null, "-", clock.Elapsed.TotalMilliseconds, $"refused: {e.Error}");
        }
    }
}
