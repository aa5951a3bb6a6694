using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Grains;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Storage faults reaching an HTTP handler — directly, or through a grain whose state write failed (Orleans wraps
/// the store's exception) — answer 503 problem details with a Retry-After, not a 500: the caller may retry, and
/// nothing was half-done (grain writes are ETag-guarded).
/// </summary>
public static class StorageFaultMapping
{
    /// <summary>Adds the mapping to the pipeline.</summary>
    public static WebApplication UseStorageFaultMapping(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (StorageFaults.IsStorageFault(e) && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = "1";
                await Problems.For(ProvisioningError.Unavailable, "storage is unavailable; retry").ExecuteAsync(context);
            }
        });
        return app;
    }
}
