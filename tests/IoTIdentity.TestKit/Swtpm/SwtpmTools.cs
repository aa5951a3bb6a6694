namespace IoTIdentity.TestKit.Swtpm;

/// <summary>Finds the swtpm executables, failing loudly (never skipping) when they are not installed.</summary>
internal static class SwtpmTools
{
    public const string InstallHint =
        "run `apt-get install -y swtpm swtpm-tools tpm2-tools` (or ./scripts/test.sh, which installs it)";

    public static string Swtpm => Require("swtpm");

    public static string SwtpmSetup => Require("swtpm_setup");

    public static string SwtpmLocalCa => Require("swtpm_localca");

    private static string Require(string tool)
        => ProcessRunner.FindOnPath(tool)
           ?? throw new InvalidOperationException($"swtpm not found ({tool} is not on PATH): {InstallHint}");
}
