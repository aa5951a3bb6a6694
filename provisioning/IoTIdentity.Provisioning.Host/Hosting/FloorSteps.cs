namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// What <see cref="ThreadPoolFloor"/> decides from one look at the thread pool: the floor of worker threads it should
/// have now. Pure (the pool's figures are passed in), so every order of looks can be tested.
/// </summary>
/// <remarks>
/// <para>The pool has stalled when work is waiting and no work item completed since the last look. After
/// <see cref="StalledLooks"/> such looks in a row the floor rises by one (at most <see cref="MostAdded"/> above
/// <see cref="Base"/>), and the count starts again, so a stall that goes on adds a worker every
/// <see cref="StalledLooks"/> looks. A look across a garbage collection judges nothing (every thread was stopped for
/// it, and no work item could complete).</para>
/// <para>Once the floor is above its base, a steady spell — <see cref="SteadyLooks"/> looks in a row without a stall —
/// lowers it to its base. A thread still waiting then stalls the pool again, and the floor rises again after
/// <see cref="StalledLooks"/> looks; so does a pool whose base is too low for good (threads of the host that never
/// come back, as a test runner's). A lowering the pool stalls after within <see cref="SteadyLooks"/> looks doubles the
/// spell the next lowering waits for, up to <see cref="LongestSpell"/>; one that holds for that long brings it back to
/// <see cref="SteadyLooks"/>. So the pool stalls after a lowering at most once per <see cref="LongestSpell"/> looks.</para>
/// </remarks>
internal sealed class FloorSteps(int baseFloor, int mostAdded, int stalledLooks, int steadyLooks, int longestSpell)
{
    private long _completed = -1;
    private int _collections = -1;
    private int _stalled;
    private int _steady;
    private int _sinceLowered = -1;

    public int Base { get; } = baseFloor;
    public int MostAdded { get; } = mostAdded;
    public int StalledLooks { get; } = stalledLooks;
    public int SteadyLooks { get; } = steadyLooks;
    public int LongestSpell { get; } = longestSpell;

    /// <summary>The floor as of the last look.</summary>
    public int Floor { get; private set; } = baseFloor;

    /// <summary>The steady looks in a row the next lowering waits for.</summary>
    public int Spell { get; private set; } = steadyLooks;

    /// <summary>One look: work items waiting, work items completed so far, garbage collections so far; returns the floor.</summary>
    public int Look(long waiting, long completed, int collections)
    {
        var first = _completed < 0;
        var collected = collections != _collections;
        var progressed = completed != _completed;
        (_completed, _collections) = (completed, collections);
        if (first || collected) return Floor;
        if (_sinceLowered >= 0 && ++_sinceLowered > SteadyLooks) (Spell, _sinceLowered) = (SteadyLooks, -1); // the lowering held
        if (waiting > 0 && !progressed)
        {
            _steady = 0;
            if (++_stalled < StalledLooks) return Floor;
            _stalled = 0;
            if (_sinceLowered >= 0) Spell = Math.Min(Spell * 2, LongestSpell); // the last lowering brought the stall back
            _sinceLowered = -1;
            if (Floor < Base + MostAdded) Floor++;
            return Floor;
        }
        _stalled = 0;
        if (Floor > Base && ++_steady >= Spell)
        {
            (_steady, _sinceLowered) = (0, 0);
            Floor = Base;
        }
        return Floor;
    }
}
