using IoTIdentity.Provisioning.WebConsole.Components;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// Registers and maps the console: Blazor with server-side interactivity under <c>/console</c>, signed in with an API
/// key that becomes an HTTP-only, SameSite=Strict cookie session (anti-forgery checked on every form post).
/// </summary>
public static class ConsoleHosting
{
    /// <summary>The cookie authentication scheme of console sessions (the HTTP API never reads it).</summary>
    public const string Scheme = "iotid-console";

    /// <summary>The path the console is served under.</summary>
    public const string BasePath = "/console";

    /// <summary>Registers the console's services; <paramref name="apiAddress"/> says where the service's HTTP API listens.</summary>
    public static IServiceCollection AddFleetConsole(this IServiceCollection services, Func<IServiceProvider, Func<Uri>> apiAddress)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        services.AddAuthorization();
        services.AddAuthentication(Scheme).AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "iotid-console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.Path = "/";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = false;
            cookie.LoginPath = $"{BasePath}/sign-in";
            cookie.AccessDeniedPath = $"{BasePath}/sign-in";
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "iotid-console-af";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddSingleton(sp => new ConsoleApi(apiAddress(sp)));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Maps the console's pages, its static assets (listed in <paramref name="staticAssetsManifest"/>) and sign-out.</summary>
    public static WebApplication MapFleetConsole(this WebApplication app, string? staticAssetsManifest)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets(staticAssetsManifest);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapPost($"{BasePath}/sign-out", (Delegate)SignOut).WithMetadata(new RequireAntiforgeryTokenAttribute());
        app.MapConsoleExports();
        return app;
    }

    /// <summary>Ends the session; a post without the form's anti-forgery token (another site's, say) is 400 and ends nothing.</summary>
    private static async Task<IResult> SignOut(HttpContext http)
    {
        if (http.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true }) return TypedResults.BadRequest();
        await http.SignOutAsync(Scheme);
        return TypedResults.Redirect($"{BasePath}/sign-in");
    }
}
