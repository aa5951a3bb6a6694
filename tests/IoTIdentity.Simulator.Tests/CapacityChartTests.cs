using System.Buffers.Binary;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Tests;

/// <summary>The capacity chart is drawn for every report a run can produce: with or without a renewal storm, with steps
/// the service's CPU could not be read for, with a broken step's seconds beside held steps' milliseconds, with one step and with none.</summary>
public sealed class CapacityChartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-chart-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Reports => ["ramp", "ramp+storm", "no-cpu", "one-step", "no-steps"];

    [Theory]
    [MemberData(nameof(Reports))]
    public void The_chart_is_a_three_panel_png_for_every_shape_of_report(string shape)
    {
        static CapacityStep Step(string phase, double rate, double p99, double? cpu, bool held = true) =>
            new(phase, rate, (int)rate * 10, (int)rate * 10, 0, held ? rate : rate * 0.6, p99 / 3, p99, cpu, 2.5, held);
        List<CapacityStep> steps = shape switch
        {
            "no-steps" => [],
            "one-step" => [Step("ramp", 20, 12, 4.8)],
            _ => [Step("ramp", 20, 12, 4.8), Step("ramp", 30, 11, 5.1), Step("ramp", 45, 9_164, shape == "no-cpu" ? null : 3.2, held: false),
               Step("50%", 15, 10, 5.0), Step("80%", 24, 40, 4.9)],
        };
        var report = new CapacityReport
        {
            Machine = "test", LoadAverageAtStart = "0", LoadAverageAtEnd = "0", PrimitiveCpuMicroseconds = new() { ["ecdsa-verify"] = 63 },
            PrimitiveFloorMicroseconds = 487, CompositeFloorMicroseconds = 571, EmulatedTpmMicroseconds = 219, Steps = steps,
            CapacityPerSecond = 30, AtEightyPercent = steps.LastOrDefault(),
            Renewals = shape == "ramp+storm" ? new RenewalStorm { ConnectedDevices = 3, Steps = [Step("renew ramp", 20, 8, 3.1), Step("renew ramp", 40, 30, 2.9)], CapacityPerSecond = 40 } : null,
        };
        var path = Path.Combine(_directory, shape, "capacity.png");

        CapacityChart.Save(report, path);

        var png = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        // IHDR: width and height, big-endian, after the signature (8), the chunk length (4) and its type (4)
        Assert.Equal((1000, 1200), (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
    }
}
