using System.Collections.Concurrent;
using System.Diagnostics;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>One device flow due at a moment of a scenario (an open-loop arrival).</summary>
public sealed record Arrival(FleetDevice Device, TimeSpan At);

/// <summary>A device-side flow on the device's TPM over its own MQTT connection.</summary>
public delegate Task<EnrollmentResult> DeviceFlow(FleetDevice device, IEnrollmentTpm tpm, IEnrollmentChannel channel);

/// <summary>
/// Runs device flows on an open-loop schedule: each flow starts at its arrival time whether or not earlier ones have
/// finished (so a slow service shows as growing latency, not as a slower schedule). An arriving device connects
/// (its own MQTT client id), waits for its swtpm (one flow per swtpm at a time; an emulated TPM never waits) and runs the real enrolment code.
/// Every outcome carries the steps' durations plus <c>connect</c>, <c>wait</c> (arrival until its TPM was free) and
/// <c>end-to-end</c> (arrival until done). A device's flows never overlap: a later arrival of the same device waits.
/// A device that holds a certificate it can present connects on its authenticated session
/// (<see cref="AuthenticatedSessions"/>; the flow sees it as <see cref="EnrollmentClient.IsAuthenticated"/>).
/// </summary>
public static class DeviceRunner
{
    /// <summary>Devices connected at once, per swtpm: enough to keep each TPM busy without a connection per device.</summary>
    public const int ConnectionsPerSwtpm = 4;

    /// <summary>Step name: the MQTT connect (TLS handshake included).</summary>
    public const string Connect = "connect";

    /// <summary>Step name: from arrival until the device's TPM was free.</summary>
    public const string Wait = "wait";

    /// <summary>Step name: from arrival until the flow ended.</summary>
    public const string EndToEnd = "end-to-end";

    /// <summary>Arrival times for <paramref name="count"/> flows at <paramref name="rate"/> per second (null: all at once).</summary>
    public static IEnumerable<TimeSpan> Schedule(int count, double? rate) =>
        Enumerable.Range(0, count).Select(i => rate is > 0 ? TimeSpan.FromSeconds(i / rate.Value) : TimeSpan.Zero);

    /// <summary>
    /// Runs <paramref name="flow"/> for every arrival; returns each outcome and the wall time of the run.
    /// <paramref name="certificate"/> gives a device's client certificate at its arrival (null: enrolment-only).
    /// </summary>
    public static async Task<(IReadOnlyList<DeviceOutcome> Outcomes, TimeSpan Elapsed)> RunAsync(Fleet fleet, EnrollmentClientOptions client,
        IReadOnlyList<Arrival> arrivals, DeviceFlow flow, IProgress<DeviceOutcome>? progress, CancellationToken cancellationToken,
        Func<FleetDevice, SessionCredential?>? certificate = null)
    {
        using var connections = new SemaphoreSlim(fleet.ConcurrentFlows);
        var deviceLocks = new ConcurrentDictionary<string, SemaphoreSlim>();
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(arrivals.Select(async arrival =>
        {
            var delay = arrival.At - clock.Elapsed;
            if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken);
            var arrived = clock.Elapsed;
            var device = arrival.Device;
            var deviceLock = deviceLocks.GetOrAdd(device.DeviceId, _ => new SemaphoreSlim(1, 1));
            await deviceLock.WaitAsync(cancellationToken);
            await connections.WaitAsync(cancellationToken);
            DeviceOutcome outcome;
            try
            {
                outcome = await RunOneAsync(fleet, client, device, certificate?.Invoke(device), flow, clock, arrived, cancellationToken);
            }
            finally
            {
                connections.Release();
                deviceLock.Release();
            }
            progress?.Report(outcome);
            return outcome;
        }));
        return (outcomes, clock.Elapsed);
    }

    private static async Task<DeviceOutcome> RunOneAsync(Fleet fleet, EnrollmentClientOptions client, FleetDevice device,
        SessionCredential? certificate, DeviceFlow flow, Stopwatch clock, TimeSpan arrived,
        CancellationToken cancellationToken)
    {
        var steps = new Dictionary<string, double>();
        try
        {
            var connecting = clock.Elapsed;
            await using var channel = await AuthenticatedSessions.ConnectAsync(device, client, certificate,
                refused => steps[AuthenticatedSessions.Refused] = refused.TotalMilliseconds, cancellationToken);
            steps[Connect] = (clock.Elapsed - connecting).TotalMilliseconds;
            var result = await fleet.RunOnTpmAsync(device, tpm =>
            {
                steps[Wait] = (clock.Elapsed - arrived).TotalMilliseconds;
                return flow(device, tpm, channel);
            }, cancellationToken);
            foreach (var (step, duration) in result.StepDurations) steps[step] = duration.TotalMilliseconds;
            steps[EndToEnd] = (clock.Elapsed - arrived).TotalMilliseconds;
            return new DeviceOutcome(device.DeviceId, true, null, clock.Elapsed.TotalSeconds, steps);
        }
        catch (EnrollmentRefusedException e)
        {
            return new DeviceOutcome(device.DeviceId, false, e.Error.ToString(), clock.Elapsed.TotalSeconds, steps);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // a load test counts every failure (a dropped connection, a timeout, a TPM error) by its kind and goes on
            return new DeviceOutcome(device.DeviceId, false, e.GetType().Name, clock.Elapsed.TotalSeconds, steps);
        }
    }
}
