namespace IoTIdentity.Simulator.Reporting;

/// <summary>What one <c>iotid-sim capacity</c> run measured; every ratio is between figures of the same run.</summary>
public sealed record CapacityReport
{
    /// <summary>The machine and runtime, as the benchmark harness describes them.</summary>
    public required string Machine { get; init; }

    /// <summary>Load average when the run started (the machine may be shared).</summary>
    public required string LoadAverageAtStart { get; init; }

    /// <summary>Load average when it ended.</summary>
    public required string LoadAverageAtEnd { get; init; }

    /// <summary>Thread CPU µs per operation of the primitives: <c>ecdsa-verify</c>, <c>ecdsa-sign</c> (P-256, SHA-256), <c>ecdh</c> (P-256 ephemeral + derive).</summary>
    public required Dictionary<string, double> PrimitiveCpuMicroseconds { get; init; }

    /// <summary>4 P-256 verifies (EK certificate, quote, certify, CSR) + 1 ECDH (MakeCredential) + 1 P-256 sign (the certificate).</summary>
    public required double PrimitiveFloorMicroseconds { get; init; }

    /// <summary>Everything the verifier and issuer compute for one enrolment, in-process, single-threaded (<c>enrol-service-ecc</c>).</summary>
    public required double CompositeFloorMicroseconds { get; init; }

    /// <summary>Thread CPU µs of one enrolment's commands on the emulated TPM (<see cref="Emulation.EmulatedTpmCost"/>).</summary>
    public required double EmulatedTpmMicroseconds { get; init; }

    /// <summary>Every step in the order run: the ramp, then 50 % and 80 % of the capacity.</summary>
    public required IReadOnlyList<CapacityStep> Steps { get; init; }

    /// <summary>The highest achieved rate of a ramp step: sustained enrolments per second.</summary>
    public required double CapacityPerSecond { get; init; }

    /// <summary>The step at 50 % of the capacity.</summary>
    public CapacityStep? AtHalf { get; init; }

    /// <summary>The step at 80 % of the capacity.</summary>
    public CapacityStep? AtEightyPercent { get; init; }

    /// <summary>The last ramp step (the one that broke, or the last one run).</summary>
    public CapacityStep? AtSaturation { get; init; }

    /// <summary>The renewal storm on connected devices, when the run had one.</summary>
    public RenewalStorm? Renewals { get; init; }

    /// <summary>Memory per idle connection with many devices connected at once, when the run measured it.</summary>
    public ConnectionMemory? Connections { get; init; }

    /// <summary>The enrolment step at 50 % of the capacity run again while the <see cref="Connections"/> are held (a reply's cost must not grow with the devices connected).</summary>
    public CapacityStep? AtHalfBesideIdleConnections { get; init; }

    /// <summary>
    /// The service's working-set growth over the enrolment ramp ÷ the devices it enrolled: an upper bound of what an
    /// enrolled device leaves in the silo's memory (a device's grain leaves once its certificate is issued; what grows is
    /// the store's cache, the monitoring windows, Orleans' directory cache and garbage not yet collected).
    /// </summary>
    public double? ServiceBytesPerEnrolledDevice { get; init; }

    /// <summary>Tenants besides the dev tenant, each with a group trusting another vendor (every unscoped first enrolment is resolved among them).</summary>
    public int OtherTenants { get; init; }

    /// <summary>Service CPU per enrolment at saturation ÷ the primitive floor.</summary>
    public double? ServiceCpuToPrimitiveFloor => AtSaturation?.ServiceCpuMillisecondsPerEnrolment * 1000 / PrimitiveFloorMicroseconds;

    /// <summary>Service CPU per enrolment at saturation ÷ the composite floor.</summary>
    public double? ServiceCpuToCompositeFloor => AtSaturation?.ServiceCpuMillisecondsPerEnrolment * 1000 / CompositeFloorMicroseconds;

    /// <summary>Service CPU per enrolment at 50 % ÷ the primitive floor.</summary>
    public double? ServiceCpuAtHalfToPrimitiveFloor => AtHalf?.ServiceCpuMillisecondsPerEnrolment * 1000 / PrimitiveFloorMicroseconds;

    /// <summary>The composite verifier floor ÷ the primitive floor.</summary>
    public double CompositeToPrimitiveFloor => CompositeFloorMicroseconds / PrimitiveFloorMicroseconds;
}
