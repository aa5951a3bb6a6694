using System.Diagnostics;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The fleet scenarios. Every device runs the real device-side enrolment code (<see cref="TpmEnrollment"/>) over
/// its own MQTT connection; flows sharing an swtpm take turns on it.
/// </summary>
public static class FleetScenarios
{
    /// <summary>first-boot: every device enrols, as fast as the pool allows. Returns the report and each device's result.</summary>
    public static async Task<(ScenarioReport Report, IReadOnlyDictionary<string, EnrollmentResult> Results)> FirstBootAsync(
        Fleet fleet, EnrollmentClientOptions client, CancellationToken cancellationToken)
    {
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, EnrollmentResult>();
        var (outcomes, elapsed) = await RunAsync(fleet, client, async (device, tpm, channel) =>
        {
            var result = await new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel, cancellationToken);
            results[device.DeviceId] = result;
            return result;
        }, cancellationToken);
        return (ScenarioReport.From("first-boot", outcomes, elapsed), results);
    }

    /// <summary>rotation-storm: every enrolled device renews at once (new TPM key, full attestation, signed by the current key).</summary>
    public static async Task<ScenarioReport> RotationStormAsync(Fleet fleet, EnrollmentClientOptions client,
        IReadOnlyDictionary<string, EnrollmentResult> current, CancellationToken cancellationToken)
    {
        var (outcomes, elapsed) = await RunAsync(fleet, client, (device, tpm, channel) =>
        {
            var previous = current[device.DeviceId];
            return new TpmEnrollment(tpm, fleet.OptionsFor(device)).RenewAsync(channel, previous.DeviceKey, previous.Issued.SerialNumber, cancellationToken);
        }, cancellationToken, fleet.Devices.Where(d => current.ContainsKey(d.DeviceId)).ToList());
        return ScenarioReport.From("rotation-storm", outcomes, elapsed);
    }

    private static async Task<(List<DeviceOutcome>, TimeSpan)> RunAsync(Fleet fleet, EnrollmentClientOptions client,
        Func<FleetDevice, Tpm.Commands.TpmClient, IEnrollmentChannel, Task<EnrollmentResult>> flow, CancellationToken cancellationToken,
        IReadOnlyList<FleetDevice>? devices = null)
    {
        devices ??= fleet.Devices;
        var clients = await Task.WhenAll(devices.Select(d => EnrollmentClient.ConnectAsync(d.DeviceId, client, cancellationToken)));
        try
        {
            var clock = Stopwatch.StartNew();
            var outcomes = await Task.WhenAll(devices.Select((device, i) => fleet.RunOnSlotAsync(device.Slot, async tpm =>
            {
                try
                {
                    var result = await flow(device, tpm, clients[i]);
                    return new DeviceOutcome(device.DeviceId, true, null, clock.Elapsed.TotalSeconds,
                        result.StepDurations.ToDictionary(s => s.Key, s => s.Value.TotalMilliseconds));
                }
                catch (EnrollmentRefusedException e)
                {
                    return new DeviceOutcome(device.DeviceId, false, e.Error.ToString(), clock.Elapsed.TotalSeconds, new Dictionary<string, double>());
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException or Tpm.TpmException)
                {
                    return new DeviceOutcome(device.DeviceId, false, e.GetType().Name, clock.Elapsed.TotalSeconds, new Dictionary<string, double>());
                }
            }, cancellationToken)));
            return (outcomes.ToList(), clock.Elapsed);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }
}
