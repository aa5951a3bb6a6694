using IoTIdentity.Protocol.Management;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace IoTIdentity.Provisioning.WebConsole.Components.Shared;

/// <summary>
/// A signed-in console page: the session's user, an API client calling with its key, and one way of showing what
/// the API refused (its problem title and detail, as the CLI shows them) without losing what the page holds.
/// </summary>
public abstract class ConsolePage : ComponentBase, IDisposable
{
    private IotIdClient? _api;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private ConsoleApi ConsoleApi { get; set; } = default!;

    /// <summary>Short notices.</summary>
    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The signed-in user.</summary>
    protected ConsoleUser User { get; private set; } = default!;

    /// <summary>The API, called with the user's key.</summary>
    protected IotIdClient Api => _api!;

    /// <summary>What the last call was refused with, shown by the page until the next call succeeds.</summary>
    protected string? Problem { get; private set; }

    /// <summary>Whether a call is under way.</summary>
    protected bool Loading { get; private set; }

    /// <summary>Whether the page has loaded (successfully or not) and no call is under way.</summary>
    protected bool Ready => _loaded && !Loading;

    private bool _loaded;

    /// <inheritdoc/>
    protected override async Task OnInitializedAsync()
    {
        var state = await AuthenticationState;
        User = ConsoleUser.From(state.User) ?? throw new InvalidOperationException("a console page rendered without a console session");
        _api = ConsoleApi.For(User.ApiKey);
        try
        {
            await LoadAsync();
        }
        finally
        {
            _loaded = true;
        }
    }

    /// <summary>Loads the page's data (through <see cref="CallAsync"/>).</summary>
    protected virtual Task LoadAsync() => Task.CompletedTask;

    /// <summary>Runs API calls; a refusal or an unreachable service becomes <see cref="Problem"/> and a notice, and false.</summary>
    protected async Task<bool> CallAsync(Func<Task> call, string? done = null)
    {
        Loading = true;
        try
        {
            await call();
            Problem = null;
            if (done is not null) Snackbar.Add(done, Severity.Success);
            return true;
        }
        catch (IotIdApiException e)
        {
            Problem = Describe(e);
            Snackbar.Add(Problem, Severity.Error);
            return false;
        }
        catch (IotIdConnectionException e)
        {
            Problem = e.Message;
            Snackbar.Add(Problem, Severity.Error);
            return false;
        }
        finally
        {
            Loading = false;
        }
    }

    /// <summary>A refusal as people read it: what the API said, and what to do when the session's key stopped working.</summary>
    public static string Describe(IotIdApiException e) => e.Status switch
    {
        401 => "The API no longer accepts this session's key (revoked?). Sign in again.",
        403 => $"Refused: this key's role may not do that ({e.Problem.Detail ?? e.Problem.Title}).",
        _ => $"{e.Problem.Title}{(e.Problem.Detail is null ? "" : ": " + e.Problem.Detail)}",
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the API client (and what a page adds).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _api?.Dispose();
    }
}
