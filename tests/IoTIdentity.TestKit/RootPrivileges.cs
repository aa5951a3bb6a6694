namespace IoTIdentity.TestKit;

/// <summary>For tests that change the machine's network (addresses on <c>lo</c>, a network namespace of their own).</summary>
public static class RootPrivileges
{
    /// <summary>Fails the test, saying why it needs root, unless the process runs as root.</summary>
    public static void Require(string forWhat)
    {
        if (!Environment.IsPrivilegedProcess)
            Xunit.Assert.Fail($"this test needs root (CAP_NET_ADMIN) for {forWhat}; run the tests as root (e.g. in the CI container) or with sudo");
    }
}
