using Microsoft.AspNetCore.Hosting.StaticWebAssets;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The console's static files (Blazor's script, MudBlazor's, the console's stylesheet) as the build lists them for
/// this assembly, found next to its binaries — also when the service runs inside another process (a test runner),
/// whose application name is not the service's.
/// </summary>
public static class ConsoleAssets
{
    private static readonly string Name = typeof(ConsoleAssets).Assembly.GetName().Name!;

    /// <summary>The endpoints manifest (routes, fingerprints, compression) MapStaticAssets serves from.</summary>
    public static string? EndpointsManifest => Existing($"{Name}.staticwebassets.endpoints.json");

    /// <summary>
    /// When running from build output (not a publish, whose wwwroot holds the files), serves the files from where
    /// the build's runtime manifest says they are, in every environment rather than only in Development.
    /// </summary>
    public static void UseBuildOutput(WebApplicationBuilder builder)
    {
        if (Existing($"{Name}.staticwebassets.runtime.json") is not { } runtime) return;
        builder.Configuration[WebHostDefaults.StaticWebAssetsKey] = runtime;
        StaticWebAssetsLoader.UseStaticWebAssets(builder.Environment, builder.Configuration);
    }

    private static string? Existing(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, file);
        return File.Exists(path) ? path : null;
    }
}
