using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>
/// The real service in-process with a swtpm whose EKs a test manufacturer certifies (<see cref="FleetFixture"/>),
/// and one headless Debian chromium driven by Playwright. Each test opens its own browser contexts (own cookies).
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public FleetFixture Fleet { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the test run writes its screenshots (artifacts/console/ in the repository).</summary>
    public string Screenshots { get; } = Path.Combine(RepositoryRoot.Find(), "artifacts", "console");

    public async Task InitializeAsync()
    {
        var chromium = SystemChromium.Locate();
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        // what a page shows after a call to the service (a release, a revoke, a transfer's progress) can take longer than
        // Playwright's default 5 s on a loaded 2-core machine: CI saw a thread-pool stall of 1.6 s right before one such wait
        Assertions.SetDefaultExpectTimeout(30_000);
        Directory.CreateDirectory(Screenshots);
        await Fleet.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Fleet.DisposeAsync();
    }

    /// <summary>A new browser context (its own cookies) of <paramref name="width"/>×<paramref name="height"/> whose console errors are collected.</summary>
    public async Task<ConsoleSession> OpenAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Fleet.Service.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000); // a Blazor circuit on a loaded 2-core machine can take longer than 20 s to sign in
        return new ConsoleSession(context, page);
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
