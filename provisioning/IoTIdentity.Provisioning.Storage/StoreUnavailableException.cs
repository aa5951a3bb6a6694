namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// The store could not carry out an operation: it cannot be opened or created, is busy or locked beyond the
/// configured retries, hit an I/O error, is full, or is corrupt. The message says which, and where; the inner
/// exception (if any) is the backend's own error, for logs only. Whether the operation took effect is unknown
/// unless the message says otherwise, so callers retry idempotent work or re-read before retrying.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, where, and why.</param>
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception around the backend's own error.</summary>
    /// <param name="message">What failed, where, and why.</param>
    /// <param name="innerException">The backend's error.</param>
    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
