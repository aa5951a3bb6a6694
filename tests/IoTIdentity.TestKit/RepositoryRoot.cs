namespace IoTIdentity.TestKit;

/// <summary>Where the repository is, seen from a test's binaries (for files the tests use as shipped).</summary>
public static class RepositoryRoot
{
    /// <summary>The directory holding <c>IoTIdentity.sln</c> above the running test's binaries.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "IoTIdentity.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No IoTIdentity.sln above {AppContext.BaseDirectory}.");
    }
}
