namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The thread pool's floor of worker threads: at least <see cref="Workers"/>, whatever the CPU count.
/// </summary>
/// <remarks>
/// The store's SQLite I/O is synchronous on pool threads (a group commit runs on the thread of the write that opened
/// it, a read on its reader's), and the pool cannot tell a thread waiting for the disk from one computing: it counts
/// it as busy. Its floor is the CPU count, so on one CPU — a container with one vCPU, or the capacity benchmark's
/// pinned core — one commit waiting for the disk stopped the whole service, its accept loops included, until the
/// pool's starvation check added a thread: with the data's file system frozen (<c>fsfreeze</c>) for 2.3 s, the MQTT
/// listener accepted nothing for the first 1.3 s, its accept queue growing at the connect rate (BENCHMARKS.md, session
/// 34). With eight, a commit and several reads can wait for the disk while the rest of the service runs on; the
/// requests that need the store still wait for it. The floor costs thread switches — the pool wakes a sleeping worker
/// for each item queued while fewer than eight run, 8–14 % more CPU per enrolment and renewal on one CPU (session 36)
/// — and was kept for its tail: a watch that raised the floor only while work stalled (d9e08bc) saved that CPU but
/// brought back stalls of 0.3–1 s beside 10,000 idle connections, in four of six full ramps against none of eight
/// with the floor (session 37). Those stalls were the five-minute audit checkpoint, then one synchronous pass over
/// every entry appended since the last, which eight runnable workers shared the core with by time slice. It now reads
/// and hashes on the store's background lane, a thread under <c>SCHED_IDLE</c> (<c>StorePages</c>), and in six ramps alternated with the lane
/// in both (session 38) neither build stalled at it while the watch's saving did not show (2.99–3.50 ms per enrolment
/// at saturation against 2.89–3.33 ms): the floor stands. A higher floor set for the runtime
/// (<c>DOTNET_ThreadPool_ForceMinWorkerThreads</c>, or <c>System.Threading.ThreadPool.MinThreads</c> in
/// <c>iotid-service.runtimeconfig.json</c>) is kept.
/// </remarks>
public static partial class ThreadPoolFloor
{
    /// <summary>The fewest worker threads the pool keeps ready to run queued work without waiting for its starvation check.</summary>
    public const int Workers = 8;

    /// <summary>Raises the pool's floor of worker threads to <see cref="Workers"/> unless it is higher; returns the floor now.</summary>
    public static int Apply()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < Workers && !ThreadPool.SetMinThreads(Workers, io))
            throw new InvalidOperationException($"The thread pool refused a floor of {Workers} worker threads (its maximum is below it).");
        ThreadPool.GetMinThreads(out workers, out _);
        return workers;
    }

    /// <summary>Says the floor and the CPUs the process may use, once the start is no longer refused.</summary>
    public static void Say(ILoggerFactory loggers)
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        Floor(loggers.CreateLogger(typeof(ThreadPoolFloor).FullName!), workers, Environment.ProcessorCount);
    }

    [LoggerMessage(44, LogLevel.Information, "The thread pool keeps {Workers} worker threads ready on {Cpus} CPU(s): work waiting for the disk leaves the rest running")]
    private static partial void Floor(ILogger logger, int workers, int cpus);
}
