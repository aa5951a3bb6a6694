namespace IoTIdentity.DeviceAgent.State;

/// <summary>One writer per state directory: an exclusive advisory lock on <c>.lock</c> (flock) held while writing.</summary>
internal static class StateLock
{
    /// <summary>The lock, or null when another process holds it.</summary>
    public static FileStream? Acquire(string directory)
    {
        DurableFiles.CreatePrivateDirectory(directory);
        try
        {
            return new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
