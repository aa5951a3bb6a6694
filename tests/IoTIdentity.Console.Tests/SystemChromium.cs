namespace IoTIdentity.Console.Tests;

/// <summary>
/// Debian's chromium, the browser the console tests drive (Playwright's own browser download is not used):
/// <c>CHROMIUM_PATH</c> when set, else <c>/usr/bin/chromium</c>.
/// </summary>
public static class SystemChromium
{
    /// <summary>How to get the browser, said by every failure to find it.</summary>
    public const string InstallHint = "install it with ./scripts/install-deps.sh (or: sudo apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary";

    /// <summary>The browser's path; a test fails with <see cref="InstallHint"/> when there is none.</summary>
    public static string Locate(string? configured = null)
    {
        var path = configured ?? Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(path)) throw new InvalidOperationException($"the console tests need Chromium, which is not at {path}: {InstallHint}");
        return path;
    }
}
