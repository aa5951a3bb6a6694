using System.Collections.Concurrent;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The fleet scenarios. Every device runs the real device-side enrolment code (<see cref="TpmEnrollment"/>) over
/// its own MQTT connection, on the open-loop schedule of <see cref="DeviceRunner"/>; flows sharing an swtpm take
/// turns on it.
/// </summary>
public static class FleetScenarios
{
    /// <summary>
    /// first-boot: every device enrols once, arriving at <paramref name="rate"/> devices per second (null: all at
    /// once, as fast as the pool allows). Returns the report and each enrolled device's result.
    /// </summary>
    public static async Task<(ScenarioReport Report, IReadOnlyDictionary<string, EnrollmentResult> Results)> FirstBootAsync(
        Fleet fleet, EnrollmentClientOptions client, CancellationToken cancellationToken, double? rate = null, IProgress<DeviceOutcome>? progress = null)
    {
        var results = new ConcurrentDictionary<string, EnrollmentResult>();
        var arrivals = fleet.Devices.Zip(DeviceRunner.Schedule(fleet.Devices.Count, rate), (d, at) => new Arrival(d, at)).ToList();
        var (outcomes, elapsed) = await DeviceRunner.RunAsync(fleet, client, arrivals, EnrolOrRenew(fleet, results, cancellationToken), progress, cancellationToken);
        return (ScenarioReport.From("first-boot", outcomes, elapsed), results);
    }

    /// <summary>rotation-storm: every enrolled device renews at once (new TPM key, full attestation, signed by the current key).</summary>
    public static async Task<ScenarioReport> RotationStormAsync(Fleet fleet, EnrollmentClientOptions client,
        IReadOnlyDictionary<string, EnrollmentResult> current, CancellationToken cancellationToken, IProgress<DeviceOutcome>? progress = null)
    {
        var results = new ConcurrentDictionary<string, EnrollmentResult>(current);
        var arrivals = fleet.Devices.Where(d => current.ContainsKey(d.DeviceId)).Select(d => new Arrival(d, TimeSpan.Zero)).ToList();
        var (outcomes, elapsed) = await DeviceRunner.RunAsync(fleet, client, arrivals, EnrolOrRenew(fleet, results, cancellationToken), progress, cancellationToken,
            Certificates(fleet, results));
        return ScenarioReport.From("rotation-storm", outcomes, elapsed);
    }

    /// <summary>
    /// soak: a steady <paramref name="rate"/> of device flows per second for <paramref name="duration"/>, taking the
    /// devices in turn: a device's first turn enrols it, every later turn renews its current certificate. Over a
    /// long soak each device re-attests many times; the report's timeline shows whether throughput and latency hold.
    /// </summary>
    public static async Task<ScenarioReport> SoakAsync(Fleet fleet, EnrollmentClientOptions client, double rate, TimeSpan duration,
        CancellationToken cancellationToken, IProgress<DeviceOutcome>? progress = null)
    {
        if (rate <= 0 || duration <= TimeSpan.Zero) throw new ArgumentException("soak needs a positive --rate and --duration");
        var count = (int)Math.Floor(rate * duration.TotalSeconds);
        var arrivals = DeviceRunner.Schedule(count, rate).Select((at, i) => new Arrival(fleet.Devices[i % fleet.Devices.Count], at)).ToList();
        var results = new ConcurrentDictionary<string, EnrollmentResult>();
        var (outcomes, elapsed) = await DeviceRunner.RunAsync(fleet, client, arrivals, EnrolOrRenew(fleet, results, cancellationToken), progress, cancellationToken,
            Certificates(fleet, results));
        return ScenarioReport.From("soak", outcomes, elapsed);
    }

    /// <summary>Each device's client certificate for its current result in <paramref name="results"/>, when it can present one.</summary>
    public static Func<FleetDevice, SessionCredential?> Certificates(Fleet fleet,
        IReadOnlyDictionary<string, EnrollmentResult> results) =>
        device => AuthenticatedSessions.CertificateFor(fleet, device, results.GetValueOrDefault(device.DeviceId), DateTimeOffset.UtcNow);

    /// <summary>
    /// A flow that renews a device holding a certificate in <paramref name="results"/> — on its authenticated session
    /// when it can present the certificate — enrols it otherwise, and records the new result. A device that could
    /// authenticate but arrived on an enrolment-only session (its certificate expired or was refused) enrols again.
    /// </summary>
    public static DeviceFlow EnrolOrRenew(Fleet fleet, ConcurrentDictionary<string, EnrollmentResult> results, CancellationToken cancellationToken) =>
        async (device, tpm, channel) =>
        {
            var enrollment = new TpmEnrollment(tpm, fleet.OptionsFor(device));
            var fellBack = channel is EnrollmentClient { IsAuthenticated: false };
            var result = results.TryGetValue(device.DeviceId, out var previous) && !fellBack
                ? await enrollment.RenewAsync(channel, previous.DeviceKey, previous.Issued.SerialNumber, cancellationToken)
                : await enrollment.EnrollAsync(channel, cancellationToken);
            results[device.DeviceId] = result;
            return result;
        };
}
