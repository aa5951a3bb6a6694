using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

/// <summary>One browser context on the console: its page, and every error the page's console or scripts reported.</summary>
public sealed class ConsoleSession : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    public ConsoleSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (_errors) _errors.Add(message.Text);
        };
        page.PageError += (_, error) =>
        {
            lock (_errors) _errors.Add(error);
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>What the browser reported as errors so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors) return [.. _errors];
        }
    }

    /// <summary>Signs in with <paramref name="apiKey"/> and waits for the overview to be interactive.</summary>
    public async Task SignInAsync(string apiKey)
    {
        await Page.GotoAsync("/console/sign-in");
        await Page.GetByLabel("API key").FillAsync(apiKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await WaitForPathAsync("/console");
        await Page.GetByRole(AriaRole.Heading, new() { Name = "Overview" }).WaitForAsync();
        await WaitForCircuitAsync();
    }

    /// <summary>
    /// Waits until the page's address is <paramref name="path"/> (with any query). Not <c>WaitForURLAsync</c>: when the
    /// address already matches it waits for the document's load event, which under load was once not seen within 60 s
    /// though the page was up; what a test needs next (a heading, the circuit) is waited for by itself.
    /// </summary>
    public Task WaitForPathAsync(string path) =>
        Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^[a-z]+://[^/]+" + System.Text.RegularExpressions.Regex.Escape(path) + @"(\?.*)?$"),
            new() { Timeout = 60_000 });

    /// <summary>Opens a console path and waits until its interactive circuit is up.</summary>
    public async Task GoAsync(string path, string heading)
    {
        await Page.GotoAsync(path);
        await Page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true }).WaitForAsync();
        await WaitForCircuitAsync();
    }

    /// <summary>Waits until Blazor's interactive circuit answers (after prerendering, buttons do nothing before).</summary>
    public Task WaitForCircuitAsync() =>
        Page.WaitForFunctionAsync("() => window.Blazor && document.querySelector('[data-ready=\"true\"]') !== null");

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
