using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// One dedicated thread at the operating system's lowest priority, on which the long walks over the store run
/// (<see cref="StorePages"/>): the kernel gives it only the CPU time that requests leave, so a walk of a large log
/// beside a busy core delays none of them. Work queued here runs in order, one item at a time.
/// </summary>
/// <remarks>
/// On Linux the thread runs under <c>SCHED_IDLE</c>: .NET does not map <see cref="ThreadPriority"/> to anything there,
/// and Linux schedules each thread by its own policy. A <c>SCHED_IDLE</c> thread weighs 3 against a normal thread's
/// 1,024 — the walk still advances, slowly, while the service is saturated — and any normal thread that wakes takes
/// the CPU from it at once; at nice 19 instead, a waking request thread may wait out the lane's time slice, and a
/// profiled ramp had its worst half second while the lane ran (BENCHMARKS.md, session 38). Should the kernel refuse the
/// policy, the thread runs at nice 19; elsewhere its priority is <see cref="ThreadPriority.Lowest"/>.
/// <para>On Linux the thread's .NET priority stays <see cref="ThreadPriority.Normal"/>: a thread whose priority is not
/// Normal and that triggers a garbage collection is boosted by the runtime for the collection and set back to its .NET
/// priority afterwards, which on Linux is <c>sched_setscheduler(SCHED_OTHER)</c> — the lane lost its policy in the middle
/// of an item that allocated (BENCHMARKS.md, session 40).</para>
/// </remarks>
internal sealed partial class BackgroundLane : TaskScheduler
{
    /// <summary>Linux's <c>SCHED_IDLE</c> scheduling policy, the lane thread's.</summary>
    public const int IdlePolicy = 5;

    /// <summary>The nice value the lane's thread falls back to should the kernel refuse <see cref="IdlePolicy"/>.</summary>
    public const int Nice = 19;

    /// <summary>The lane thread's name.</summary>
    public const string ThreadName = "iotid walks";

    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread _thread;

    private BackgroundLane()
    {
        _thread = new Thread(Run)
        {
            IsBackground = true, Name = ThreadName,
            Priority = OperatingSystem.IsLinux() ? ThreadPriority.Normal : ThreadPriority.Lowest,
        };
        _thread.UnsafeStart();
    }

    /// <summary>The process's lane.</summary>
    public static BackgroundLane Shared { get; } = new();

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs <paramref name="work"/> on the lane; what awaits the result goes on at its own priority, not the lane's.</summary>
    public Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken,
            // the work sees the default scheduler (what it starts does not land here); continuations leave the lane
            TaskCreationOptions.HideScheduler | TaskCreationOptions.DenyChildAttach | TaskCreationOptions.RunContinuationsAsynchronously,
            this);

    /// <inheritdoc/>
    protected override void QueueTask(Task task) => _queue.Add(task);

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Thread.CurrentThread == _thread && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Run()
    {
        Lower();
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    /// <summary>Puts the calling thread under <see cref="IdlePolicy"/>, or at <see cref="Nice"/> should the kernel
    /// refuse it; lowering one's own thread needs no privilege, and should both fail the lane runs at normal priority.</summary>
    private static void Lower()
    {
        if (!OperatingSystem.IsLinux()) return;
        var parameters = 0;
        if (SetScheduler(0, IdlePolicy, ref parameters) != 0) _ = SetPriority(0, GetTid(), Nice);
    }

    /// <summary><c>sched_setscheduler(pid, policy, &amp;param)</c>; pid 0 is the calling thread, param its <c>sched_priority</c>.</summary>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static partial int SetScheduler(int pid, int policy, ref int parameters);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
