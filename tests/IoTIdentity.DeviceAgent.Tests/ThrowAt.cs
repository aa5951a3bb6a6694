namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>Throws an <see cref="IOException"/> ("power cut") when <paramref name="checkpoint"/> is reached, in-process.</summary>
internal sealed class ThrowAt(IdentityCheckpoint checkpoint) : IIdentityProgress
{
    public void Reached(IdentityCheckpoint reached)
    {
        if (reached == checkpoint) throw new IOException("power cut");
    }
}
