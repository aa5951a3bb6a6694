namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// How the simulator's own runtime is set up for load: its socket continuations run inline on the socket thread
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>) rather than each through a hop to the thread pool. The
/// simulator drives thousands of connections from one pinned core with nothing else to keep responsive, so the hop
/// is pure cost: context switches and CPU per enrolment (BENCHMARKS.md, session 25). The service it starts runs
/// without it, as shipped (<see cref="ServiceProcess"/>): there one socket thread would serialise every connection's work.
/// </summary>
public static class GeneratorRuntime
{
    /// <summary>The runtime's switch (read once, when the first socket is set up).</summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets the switch for this process unless the environment already says otherwise; call before any socket exists.</summary>
    public static void InlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");
    }
}
