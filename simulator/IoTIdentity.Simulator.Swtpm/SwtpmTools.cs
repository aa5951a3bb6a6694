namespace IoTIdentity.Simulator.Swtpm;

/// <summary>Finds the swtpm executables, failing loudly (never skipping) when they are not installed.</summary>
public static class SwtpmTools
{
    /// <summary>What to run when a tool is missing.</summary>
    public const string InstallHint =
        "run `apt-get install -y swtpm swtpm-tools tpm2-tools` (or ./scripts/test.sh, which installs it)";

    /// <summary>The swtpm executable.</summary>
    public static string Swtpm => Require("swtpm");

    /// <summary>The swtpm_setup executable.</summary>
    public static string SwtpmSetup => Require("swtpm_setup");

    /// <summary>The swtpm_localca executable.</summary>
    public static string SwtpmLocalCa => Require("swtpm_localca");

    /// <summary>Fails with the install command unless every swtpm tool is on PATH.</summary>
    public static void RequireAll()
    {
        _ = Swtpm;
        _ = SwtpmSetup;
        _ = SwtpmLocalCa;
    }

    private static string Require(string tool)
        => ProcessRunner.FindOnPath(tool)
           ?? throw new InvalidOperationException($"swtpm not found ({tool} is not on PATH): {InstallHint}");
}
