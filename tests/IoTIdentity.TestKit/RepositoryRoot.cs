using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.TestKit;

/// <summary>Where the repository is, seen from a test's binaries (for files the tests use as shipped).</summary>
public static class RepositoryRoot
{
    /// <summary>The directory holding <c>IoTIdentity.sln</c> above the running test's binaries.</summary>
    public static string Find() => SourceTree.Find() ?? throw new InvalidOperationException($"No IoTIdentity.sln above {AppContext.BaseDirectory}.");
}
