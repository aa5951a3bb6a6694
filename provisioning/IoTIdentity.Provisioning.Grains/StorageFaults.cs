using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// What counts as a storage fault: the store unavailable, or a lost concurrency race (a stale ETag), thrown by the
/// store directly or by a grain's state write, which Orleans' storage bridge rethrows wrapped. A fault is not a
/// refusal: nothing was half-done (writes are ETag-guarded), and the caller may retry.
/// </summary>
public static class StorageFaults
{
    /// <summary>Whether <paramref name="exception"/> is, or wraps, a storage fault or a lost concurrency race.</summary>
    public static bool IsStorageFault(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is StoreUnavailableException or StoreConcurrencyException or Orleans.Storage.InconsistentStateException) return true;
        return false;
    }
}
