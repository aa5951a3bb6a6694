namespace IoTIdentity.Simulator.Swtpm;

/// <summary>Where the source tree is, seen from the running binaries (for parts it keeps, such as the pinned Cosmos DB test server).</summary>
public static class SourceTree
{
    /// <summary>The directory holding <c>IoTIdentity.sln</c> above the running binaries, or null when they run outside the tree.</summary>
    public static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "IoTIdentity.sln"))) return directory.FullName;
        return null;
    }
}
