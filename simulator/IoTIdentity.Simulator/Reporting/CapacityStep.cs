namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// One capacity step at a fixed offered rate: what the service achieved, its latency, errors and CPU per enrolment (in a
/// renewal storm's steps: per renewal, and the phase names start with <c>renew</c>).
/// </summary>
/// <param name="Phase"><c>ramp</c>, <c>50%</c> or <c>80%</c> (<c>renew ramp</c>, … for renewals).</param>
/// <param name="OfferedPerSecond">Open-loop arrivals per second.</param>
/// <param name="Devices">Flows in the step (fresh emulated devices, each enrolling once).</param>
/// <param name="Succeeded">Flows that enrolled.</param>
/// <param name="Failed">Flows that did not.</param>
/// <param name="AchievedPerSecond">Enrolments completed per second of the step (drain included).</param>
/// <param name="P50Milliseconds">End-to-end (arrival to certificate) median.</param>
/// <param name="P99Milliseconds">End-to-end 99th percentile.</param>
/// <param name="ServiceCpuMillisecondsPerEnrolment">The service process's CPU over the step per enrolment.</param>
/// <param name="GeneratorCpuMillisecondsPerEnrolment">This process's CPU over the step per flow.</param>
/// <param name="Held">At most 1 % failed, p99 within the limit, and the achieved rate at least 90 % of the offered one.</param>
/// <param name="WorstSlice">
/// The slice of the step's timeline (at least 20 equal slices, by completion time) whose completions had the highest p99:
/// whether the step's p99 came from a stall (one slice far above the rest) or from the whole step queueing.
/// </param>
/// <param name="Stages">
/// The latency of each timed stage of the step's flows, as the generator saw them (connect, the TPM's work, each round
/// trip, end-to-end; in the order they happen): which part of the end-to-end p99 is the service's round
/// trips and which is connecting or the generator's own work.
/// </param>
public sealed record CapacityStep(string Phase, double OfferedPerSecond, int Devices, int Succeeded, int Failed, double AchievedPerSecond,
    double P50Milliseconds, double P99Milliseconds, double? ServiceCpuMillisecondsPerEnrolment, double GeneratorCpuMillisecondsPerEnrolment, bool Held,
    TimelineBucket? WorstSlice = null, IReadOnlyList<StepLatency>? Stages = null);
