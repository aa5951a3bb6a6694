using System.Diagnostics;

namespace IoTIdentity.DeviceAgent.TestHost;

/// <summary>Kills the process (SIGKILL, nothing flushed or disposed) when <paramref name="checkpoint"/> is reached.</summary>
internal sealed class KillAt(IdentityCheckpoint checkpoint) : IIdentityProgress
{
    public void Reached(IdentityCheckpoint reached)
    {
        if (reached != checkpoint) return;
        Console.Error.WriteLine($"iotid-agent: test crash point {reached} reached; killing the process");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
