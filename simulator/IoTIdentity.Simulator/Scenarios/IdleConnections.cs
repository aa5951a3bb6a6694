using System.Collections.Concurrent;
using System.Diagnostics;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// Devices connected to the service at once, idle: each connects as itself over TLS (client id = device id) and
/// subscribes to its responses and commands, as the agent does, then stays connected while both processes' resident
/// memory is read (see <see cref="ConnectionMemory"/>); then, while they are still held, whatever the caller measures
/// beside them; then all disconnect.
/// </summary>
public static class IdleConnections
{
    /// <summary>How long to let both processes settle before each memory reading.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Connects every one of <paramref name="deviceIds"/>, <paramref name="parallel"/> handshakes at a time, measures,
    /// then runs <paramref name="whileHeld"/> (given how many are held) before the devices disconnect.
    /// </summary>
    public static async Task<ConnectionMemory> MeasureAsync(ServiceProcess service, EnrollmentClientOptions client, IReadOnlyList<string> deviceIds,
        int parallel, CancellationToken cancellationToken, Func<int, Task>? whileHeld = null)
    {
        await Task.Delay(Settle, cancellationToken);
        var (serviceBefore, generatorBefore) = (service.WorkingSetBytes, GeneratorWorkingSet());
        var connections = new ConcurrentBag<EnrollmentClient>();
        var failed = 0;
        var (serviceCpu, generatorCpu) = (service.CpuTime, GeneratorCpu());
        var clock = Stopwatch.StartNew();
        try
        {
            await Parallel.ForEachAsync(deviceIds, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (deviceId, token) =>
            {
                try
                {
                    connections.Add(await EnrollmentClient.ConnectAsync(deviceId, client, token));
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    // counted, not fatal: the figure is per connection held
                    Interlocked.Increment(ref failed);
                }
            });
            var connectSeconds = clock.Elapsed.TotalSeconds;
            var generatorUsed = (GeneratorCpu() - generatorCpu).TotalMilliseconds;
            var serviceUsed = (service.CpuTime - serviceCpu)?.TotalMilliseconds ?? double.NaN;
            await Task.Delay(Settle, cancellationToken);
            var held = connections.Count(c => c.IsConnected);
            var memory = new ConnectionMemory(deviceIds.Count, held, failed, connectSeconds, serviceBefore, service.WorkingSetBytes, generatorBefore, GeneratorWorkingSet(),
                serviceUsed, generatorUsed);
            if (whileHeld is not null) await whileHeld(held);
            return memory;
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static TimeSpan GeneratorCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static long GeneratorWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }
}
