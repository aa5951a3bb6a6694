namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The thread that looks at the thread pool for <see cref="ThreadPoolFloor"/> and sets the floor
/// <see cref="FloorSteps"/> decides. It is not a pool thread: a pool whose workers all wait for the disk still has it.
/// </summary>
internal sealed class FloorWatch
{
    private readonly FloorSteps _steps;
    private readonly TimeSpan _period;
    private readonly Func<int, bool> _setFloor;
    private int _floor;
    private int _raises;
    private volatile bool _stopped;

    /// <param name="steps">What the floor should be after each look.</param>
    /// <param name="period">How long between looks.</param>
    /// <param name="setFloor">Sets the pool's floor, false when refused (tests pass their own; the runtime's by default).</param>
    internal FloorWatch(FloorSteps steps, TimeSpan period, Func<int, bool>? setFloor = null)
    {
        (_steps, _period, _setFloor) = (steps, period, setFloor ?? SetRuntimeFloor);
        _floor = steps.Base;
    }

    /// <summary>The runtime's own floor, which the watch raises from.</summary>
    public int Base => _steps.Base;

    /// <summary>The floor the watch last set (or <see cref="Base"/>).</summary>
    public int Floor => Volatile.Read(ref _floor);

    /// <summary>How many times the floor has risen since the start.</summary>
    public int Raises => Volatile.Read(ref _raises);

    /// <summary>Whether the watch stopped because the runtime refused a floor.</summary>
    public bool Stopped => _stopped;

    /// <summary>Where raises, lowerings and a refusal are said; none before the host has its loggers.</summary>
    public ILogger? Logger { get; set; }

    internal void Start() => new Thread(Run) { IsBackground = true, Name = "Thread pool floor" }.Start();

    private void Run()
    {
        while (!_stopped)
        {
            Thread.Sleep(_period);
            Look(ThreadPool.PendingWorkItemCount, ThreadPool.CompletedWorkItemCount, GC.CollectionCount(0));
        }
    }

    /// <summary>One look at the pool's figures (<see cref="FloorSteps.Look"/>), setting the floor when it changes.</summary>
    internal void Look(long waiting, long completed, int collections)
    {
        if (_stopped) return;
        var floor = _steps.Look(waiting, completed, collections);
        if (floor == _floor) return;
        if (!_setFloor(floor))
        {
            _stopped = true;
            if (Logger is { } refused) ThreadPoolFloor.Refused(refused, floor);
            return;
        }
        var raised = floor > _floor;
        Volatile.Write(ref _floor, floor);
        if (raised) Interlocked.Increment(ref _raises);
        if (Logger is not { } logger) return;
        if (!raised) ThreadPoolFloor.Lowered(logger, floor);
        else if (floor == _steps.Base + _steps.MostAdded) ThreadPoolFloor.RaisedToMost(logger, waiting, floor);
        else ThreadPoolFloor.Raised(logger, waiting, floor);
    }

    /// <summary>
    /// Sets the runtime pool's floor of worker threads. Lowering it also brings the pool's goal of working threads
    /// down: raising the floor raised the goal with it, and lowering the floor does not lower it (only the pool's hill
    /// climbing would, in its own time; on one CPU it kept a goal of three or four for a minute and more, and with it
    /// the thread switches a standing floor costs). A maximum below the goal lowers it, so the maximum is set to the
    /// floor for an instant and put back.
    /// </summary>
    private static bool SetRuntimeFloor(int floor)
    {
        ThreadPool.GetMinThreads(out var was, out var io);
        if (!ThreadPool.SetMinThreads(floor, io)) return false;
        if (floor >= was) return true;
        ThreadPool.GetMaxThreads(out var most, out var ioMost);
        if (ThreadPool.SetMaxThreads(floor, ioMost)) ThreadPool.SetMaxThreads(most, ioMost);
        return true;
    }
}
