using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// One dedicated thread at the operating system's lowest priority, on which the long walks over the store run
/// (<see cref="StorePages"/>): the kernel gives it only the CPU time that requests leave, so a walk of a large log
/// beside a busy core delays none of them. Work queued here runs in order, one item at a time.
/// </summary>
/// <remarks>
/// On Linux the thread's nice value is set to 19: .NET does not map <see cref="ThreadPriority"/> to anything there,
/// and Linux schedules each thread by its own nice value (<c>setpriority(PRIO_PROCESS, tid, …)</c>). Nice 19 weighs
/// 15 against a normal thread's 1,024, so the walk still advances, slowly, while the service is saturated. Elsewhere
/// the thread's priority is <see cref="ThreadPriority.Lowest"/>.
/// </remarks>
internal sealed partial class BackgroundLane : TaskScheduler
{
    /// <summary>The nice value the lane's thread runs at on Linux.</summary>
    public const int Nice = 19;

    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread _thread;

    private BackgroundLane()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "iotid walks", Priority = ThreadPriority.Lowest };
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
        if (OperatingSystem.IsLinux())
        {
            // lowering one's own thread needs no privilege; should it fail, the lane runs at normal priority
            _ = SetPriority(0, GetTid(), Nice);
        }

        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
