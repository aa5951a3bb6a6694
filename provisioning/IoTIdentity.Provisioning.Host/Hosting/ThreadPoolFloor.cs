namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The thread pool's floor of worker threads, raised while the pool's work stalls: a thread of its own looks at the
/// pool every <see cref="Period"/>, and when work has waited with none completing for <see cref="StalledLooks"/>
/// looks, the floor rises by one worker (at most <see cref="MostAdded"/> above the runtime's own); two seconds without a
/// stall lower it to the runtime's own again, and longer ones (up to <see cref="LongestSpell"/> looks) when lowerings
/// keep bringing the stall back (<see cref="FloorSteps"/>).
/// </summary>
/// <remarks>
/// The store's SQLite I/O is synchronous on pool threads (a group commit runs on the thread of the write that opened
/// it, a read on its reader's), and the pool cannot tell a thread waiting for the disk from one computing: it counts
/// it as busy. Its floor is the CPU count, so on one CPU — a container with one vCPU, or the capacity benchmark's
/// pinned core — one commit waiting for the disk stopped the whole service, its accept loops included, until the
/// pool's own starvation check added a thread: with the data's file system frozen (<c>fsfreeze</c>) for 2.3 s, the MQTT
/// listener accepted nothing for the first 1.3 s (BENCHMARKS.md, session 34). A standing floor of eight workers ended
/// that, but cost every request: the pool woke a sleeping worker for each item queued while fewer than eight ran, so
/// on one CPU the service switched threads four times as often and spent 8–14 % more CPU per enrolment and renewal
/// (session 36). Raised only while work stalls, the floor is the runtime's own the rest of the time; a thread waiting
/// for the disk holds the rest up for about <see cref="StalledLooks"/> × <see cref="Period"/> (50 ms), and one still
/// waiting when the floor is lowered for that long again. A floor forced on the
/// runtime (<c>DOTNET_ThreadPool_ForceMinWorkerThreads</c>, or <c>System.Threading.ThreadPool.MinThreads</c> in
/// <c>iotid-service.runtimeconfig.json</c>) is the base it raises from, and one the runtime will not let it change
/// stops the watch.
/// </remarks>
public static partial class ThreadPoolFloor
{
    /// <summary>How often the watch looks at the pool.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(25);

    /// <summary>Looks in a row with work waiting and none completed before the floor rises by one.</summary>
    public const int StalledLooks = 2;

    /// <summary>Looks in a row without a stall before a raised floor is lowered to the runtime's own.</summary>
    public const int SteadyLooks = 80;

    /// <summary>The most steady looks a lowering waits for after lowerings that brought the stall back (about two minutes).</summary>
    public const int LongestSpell = SteadyLooks * 64;

    /// <summary>The most workers the floor rises above the runtime's own.</summary>
    public const int MostAdded = 8;

    private static readonly Lock Starting = new();
    private static FloorWatch? _watch;

    /// <summary>Starts the process's one watch of the pool (a second call finds it running); returns it.</summary>
    internal static FloorWatch Start()
    {
        lock (Starting)
        {
            if (_watch is not null) return _watch;
            ThreadPool.GetMinThreads(out var workers, out _);
            _watch = new FloorWatch(new FloorSteps(workers, MostAdded, StalledLooks, SteadyLooks, LongestSpell), Period);
            _watch.Start();
            return _watch;
        }
    }

    /// <summary>Says the floor and the CPUs the process may use, once the start is no longer refused; the watch logs through these loggers from now on.</summary>
    public static void Say(ILoggerFactory loggers)
    {
        var watch = Start();
        var logger = loggers.CreateLogger(typeof(ThreadPoolFloor).FullName!);
        watch.Logger = logger;
        Watching(logger, watch.Base, Environment.ProcessorCount, MostAdded, (int)(StalledLooks * Period.TotalMilliseconds));
    }

    [LoggerMessage(44, LogLevel.Information, "The thread pool keeps {Workers} worker thread(s) ready on {Cpus} CPU(s), and up to {Added} more while its work stalls for {StallMs} ms: work waiting for the disk leaves the rest running")]
    private static partial void Watching(ILogger logger, int workers, int cpus, int added, int stallMs);

    [LoggerMessage(45, LogLevel.Information, "The thread pool's work stalled (no work item completed with {Waiting} waiting): it keeps {Workers} worker thread(s) ready now")]
    internal static partial void Raised(ILogger logger, long waiting, int workers);

    [LoggerMessage(48, LogLevel.Warning, "The thread pool's work stalled again and again (no work item completed with {Waiting} waiting): it keeps {Workers} worker thread(s) ready now, the most it adds; is the data directory's disk answering?")]
    internal static partial void RaisedToMost(ILogger logger, long waiting, int workers);

    [LoggerMessage(46, LogLevel.Information, "The thread pool's work goes on without stalling: it keeps {Workers} worker thread(s) ready now")]
    internal static partial void Lowered(ILogger logger, int workers);

    [LoggerMessage(47, LogLevel.Warning, "The runtime refused a thread pool floor of {Workers} (a floor forced on it is kept as it is): the pool is no longer watched for stalls")]
    internal static partial void Refused(ILogger logger, int workers);
}
