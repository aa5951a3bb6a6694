namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// A device-listing continuation token was not one the store issued for this tenant (malformed, truncated,
/// edited, or from another tenant). An HTTP layer maps it to 400 Bad Request.
/// </summary>
public sealed class InvalidContinuationTokenException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the token was refused (never echoes the token).</param>
    /// <param name="paramName">The argument that carried the token.</param>
    public InvalidContinuationTokenException(string message, string? paramName)
        : base(message, paramName)
    {
    }
}
