using System.Diagnostics;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// TEST ONLY: named instants at which the agent kills itself with SIGKILL when the environment variable
/// <see cref="Variable"/> names them, to simulate a power cut there. Unset in production: then nothing happens.
/// </summary>
public static class CrashPoints
{
    /// <summary>The environment variable naming the point (e.g. <c>IOTID_AGENT_TEST_EXIT_AT=after-challenge</c>).</summary>
    public const string Variable = "IOTID_AGENT_TEST_EXIT_AT";

    /// <summary>Just before <c>register</c> is sent.</summary>
    public const string BeforeRequest = "before-request";

    /// <summary>After the challenge arrived, before <c>attest</c>.</summary>
    public const string AfterChallenge = "after-challenge";

    /// <summary>After the certificate arrived, before any state is written.</summary>
    public const string AfterIssuance = "after-issuance";

    /// <summary>After the new generation is on disk, before the pointer moves to it.</summary>
    public const string DuringStateWrite = "during-state-write";

    /// <summary>The point configured for this process, if any (read once).</summary>
    public static string? Configured { get; } = Environment.GetEnvironmentVariable(Variable);

    /// <summary>Kills the process when <paramref name="point"/> is the configured one.</summary>
    public static void Hit(string point)
    {
        if (Configured is null || !string.Equals(Configured, point, StringComparison.Ordinal)) return;
        Console.Error.WriteLine($"iotid-agent: test crash point {point} reached; killing the process");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
