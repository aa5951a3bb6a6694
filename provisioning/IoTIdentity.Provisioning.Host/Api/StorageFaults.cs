using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Storage faults reaching an HTTP handler — directly, or through a grain whose state write failed (Orleans wraps
/// the store's exception) — answer 503 problem details with a Retry-After, not a 500: the caller may retry, and
/// nothing was half-done (grain writes are ETag-guarded).
/// </summary>
public static class StorageFaults
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
            catch (Exception e) when (IsStorageFault(e) && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = "1";
                await Problems.For(ProvisioningError.Unavailable, "storage is unavailable; retry").ExecuteAsync(context);
            }
        });
        return app;
    }

    /// <summary>Whether <paramref name="exception"/> is, or wraps, a storage fault or a lost concurrency race.</summary>
    public static bool IsStorageFault(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is StoreUnavailableException or StoreConcurrencyException or Orleans.Storage.InconsistentStateException) return true;
        return false;
    }
}
