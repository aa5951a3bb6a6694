using System.IO.Pipes;
using IoTIdentity.Provisioning.Host.Hosting;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <see cref="ThreadPoolFloor"/>: the pool's floor rises while its work stalls and falls back once it flows —
/// <see cref="FloorSteps"/> over any order of looks, <see cref="FloorWatch"/> setting what they decide, and the
/// process's own pool with its workers blocked in a system call, as on a disk that does not answer. (That the built
/// service watches its pool on one CPU: <c>ServiceBinaryStartTests</c>.)
/// </summary>
[Collection(ThreadPoolSettings.Name)]
public sealed class ThreadPoolFloorTests
{
    private const int Base = 2;
    private const int Most = 3;
    private const int Stalled = 2;
    private const int Steady = 5;
    private const int Longest = Steady * 8;

    private enum Kind { Stall, Busy, Idle, Collection }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Over_any_order_of_looks_the_floor_rises_after_each_stall_and_falls_to_its_base_after_a_steady_spell(int seed)
    {
        var steps = new FloorSteps(Base, Most, Stalled, Steady, Longest);
        var random = new Random(seed);
        long completed = 0;
        var collections = 0;
        Assert.Equal(Base, steps.Look(7, completed, collections)); // the first look has nothing to compare with
        var judged = new List<Kind>();
        var (stallRun, steadyRun) = (0, 0);
        var (rises, falls) = (0, 0);
        var kind = Kind.Idle;
        for (var look = 0; look < 5_000; look++)
        {
            if (random.Next(4) == 0) kind = (Kind)random.Next(4); // runs of one kind, long enough to move the floor
            long waiting;
            switch (kind)
            {
                case Kind.Stall: waiting = random.Next(1, 100); break;
                case Kind.Busy: waiting = random.Next(0, 100); completed += random.Next(1, 50); break;
                case Kind.Idle: waiting = 0; break;
                default: waiting = random.Next(0, 100); completed += random.Next(0, 2); collections++; break;
            }

            var before = steps.Floor;
            var after = steps.Look(waiting, completed, collections);
            Assert.InRange(after, Base, Base + Most);
            if (kind == Kind.Collection)
            {
                Assert.Equal(before, after); // a look across a collection judges nothing
                continue;
            }

            judged.Add(kind);
            (stallRun, steadyRun) = kind == Kind.Stall ? (stallRun + 1, 0) : (0, steadyRun + 1);
            if (after > before)
            {
                rises++;
                Assert.Equal(before + 1, after);
                Assert.All(judged.TakeLast(Stalled), k => Assert.Equal(Kind.Stall, k));
            }
            else if (after < before)
            {
                falls++;
                Assert.Equal(Base, after);
                Assert.All(judged.TakeLast(Steady), k => Assert.NotEqual(Kind.Stall, k));
            }

            // and every such run does move it: a stall of Stalled more looks adds a worker below the top, and a
            // raised floor comes down after a steady spell of Longest looks at the most
            if (stallRun == Stalled)
            {
                Assert.Equal(Math.Min(before + 1, Base + Most), after);
                stallRun = 0;
            }
            if (steadyRun >= Longest && before > Base) Assert.Equal(Base, after);
            if (after < before) steadyRun = 0;
        }

        Assert.True(rises > 10 && falls > 3, $"{rises} rises and {falls} falls: the looks did not exercise the floor");
    }

    [Fact]
    public void A_busy_pool_and_an_idle_one_never_raise_the_floor()
    {
        var steps = new FloorSteps(Base, Most, Stalled, Steady, Longest);
        for (var look = 0; look < 1_000; look++)
        {
            Assert.Equal(Base, steps.Look(waiting: 50, completed: look, collections: 0)); // work waiting, and completing
            Assert.Equal(Base, steps.Look(waiting: 0, completed: look, collections: 0));  // nothing waiting, nothing done
        }
    }

    [Fact]
    public void A_lowering_the_stall_comes_back_after_doubles_the_next_spell_up_to_the_longest_and_one_that_holds_resets_it()
    {
        var steps = new FloorSteps(Base, Most, Stalled, Steady, Longest);
        long completed = 0;
        steps.Look(0, completed, 0);
        void Stall() { for (var i = 0; i < Stalled; i++) steps.Look(3, completed, 0); }
        int SteadyUntilLowered()
        {
            for (var looks = 1; ; looks++)
            {
                if (steps.Look(0, ++completed, 0) == Base) return looks;
                Assert.True(looks <= Longest, "a raised floor outlasted the longest spell");
            }
        }

        Stall();
        Assert.Equal(Base + 1, steps.Floor);
        Assert.Equal(Steady, SteadyUntilLowered());
        foreach (var spell in new[] { 2 * Steady, 4 * Steady, Longest, Longest })
        {
            Stall(); // at once: the lowering brought the stall back
            Assert.Equal(Base + 1, steps.Floor);
            Assert.Equal(spell, SteadyUntilLowered());
        }

        for (var i = 0; i < Steady; i++) steps.Look(0, ++completed, 0); // this lowering holds
        Stall();
        Assert.Equal(Steady, SteadyUntilLowered());
    }

    [Fact]
    public void A_stall_long_after_a_lowering_is_a_new_one_and_waits_only_the_shortest_spell()
    {
        var steps = new FloorSteps(Base, Most, Stalled, Steady, Longest);
        long completed = 0;
        steps.Look(0, completed, 0);
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < Stalled; i++) steps.Look(3, completed, 0);
            Assert.Equal(Base + 1, steps.Floor);
            for (var i = 0; i < Steady; i++) steps.Look(0, ++completed, 0); // lowered after the shortest spell
            Assert.Equal(Base, steps.Floor);
            for (var i = 0; i < Steady + 1; i++) steps.Look(0, ++completed, 0); // and it holds
            Assert.Equal((Base, Steady), (steps.Floor, steps.Spell));
        }
    }

    [Fact]
    public void The_watch_sets_each_floor_its_steps_decide_and_says_each_change()
    {
        var set = new List<int>();
        var logger = new ListLogger<FloorWatch>();
        var watch = new FloorWatch(new FloorSteps(Base, Most, 1, 2, 2), TimeSpan.FromDays(1), floor => { set.Add(floor); return true; }) { Logger = logger };
        for (var look = 0; look < Most + 3; look++) watch.Look(5, 0, 0); // the first look, then a stall going on
        Assert.Equal([3, 4, 5], set);
        Assert.Equal((Most, Base + Most), (watch.Raises, watch.Floor));

        watch.Look(5, 1, 0);
        watch.Look(0, 1, 0);
        Assert.Equal([3, 4, 5, Base], set);
        Assert.Equal((Most, Base), (watch.Raises, watch.Floor));
        Assert.Collection(logger.Lines,
            line => Assert.Contains("stalled (no work item completed with 5 waiting): it keeps 3 worker thread(s)", line),
            line => Assert.Contains("it keeps 4 worker thread(s)", line),
            line => Assert.Contains("stalled again and again (no work item completed with 5 waiting): it keeps 5 worker thread(s) ready now, the most it adds", line),
            line => Assert.Contains("goes on without stalling: it keeps 2 worker thread(s)", line));
    }

    [Fact]
    public void A_floor_the_runtime_refuses_stops_the_watch_and_is_said_once()
    {
        var tries = 0;
        var logger = new ListLogger<FloorWatch>();
        var watch = new FloorWatch(new FloorSteps(Base, Most, 1, 2, 2), TimeSpan.FromDays(1), _ => { tries++; return false; }) { Logger = logger };
        for (var look = 0; look < 20; look++) watch.Look(5, 0, 0);
        Assert.True(watch.Stopped);
        Assert.Equal((1, 0, Base), (tries, watch.Raises, watch.Floor));
        Assert.Contains("refused a thread pool floor of 3", Assert.Single(logger.Lines));
    }

    /// <summary>
    /// Workers are blocked one by one in a read of a pipe nothing is written to (a system call the pool cannot see
    /// into, as a read or flush of a disk that does not answer) until a blocked one's successor waits for a worker: the
    /// watch raises the floor, the runtime's with it, and it runs. (The fall back is the steps' own, above: this
    /// process's host holds pool threads of its own for good, so a lowering here can bring a stall back.)
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task Workers_blocked_in_a_system_call_raise_the_floor_until_waiting_work_runs()
    {
        var watch = ThreadPoolFloor.Start();
        Assert.False(watch.Stopped);
        var raisesBefore = watch.Raises;
        var pipes = new List<(AnonymousPipeServerStream Reader, AnonymousPipeClientStream Writer)>();
        var blocked = new List<Task>();
        try
        {
            // each blocker takes a worker for as long as its pipe stays empty; while workers are left, each starts at
            // once, and the first that finds none starts only when the floor rises (or, 500 ms on, the pool's own
            // starvation check adds a thread)
            while (watch.Raises == raisesBefore && pipes.Count < 40)
            {
                var reader = new AnonymousPipeServerStream(PipeDirection.In);
                var pipe = (reader, new AnonymousPipeClientStream(PipeDirection.Out, reader.ClientSafePipeHandle));
                pipes.Add(pipe);
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                blocked.Add(Task.Factory.StartNew(() =>
                {
                    started.SetResult();
                    return pipe.reader.Read(new byte[1]);
                }, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default));
                await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
            }

            Assert.True(watch.Raises > raisesBefore, $"{pipes.Count} workers blocked and the floor never rose");
            Assert.True(watch.Floor > watch.Base);
            ThreadPool.GetMinThreads(out var floor, out _);
            Assert.True(floor > watch.Base, $"the runtime's floor is {floor}, the watch's {watch.Floor}");
            var probe = Task.Run(() => true);
            Assert.True(await probe.WaitAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            foreach (var (_, writer) in pipes) writer.Write([1]);
            await Task.WhenAll(blocked).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var (reader, writer) in pipes)
            {
                writer.Dispose();
                reader.Dispose();
            }
        }
    }
}

/// <summary>Tests that change the process's thread pool settings run alone among themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolSettings
{
    public const string Name = "thread pool settings";
}
