using IoTIdentity.Protocol;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// The service refused a request: the reason from the protocol's closed list and, for transient refusals, how long
/// to wait before trying again.
/// </summary>
public sealed class EnrollmentRefusedException : Exception
{
    /// <summary>Creates the exception for a refusal.</summary>
    public EnrollmentRefusedException(ProvisioningError error, TimeSpan? retryAfter = null, string? detail = null)
        : base(detail is null ? $"The service refused the request: {error}" : $"The service refused the request: {error} ({detail})")
    {
        Error = error;
        RetryAfter = retryAfter;
    }

    /// <summary>Why the service refused.</summary>
    public ProvisioningError Error { get; }

    /// <summary>When to retry, if the service said so.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether the same request may succeed later (<see cref="ProvisioningErrors.IsTransient"/>).</summary>
    public bool IsTransient => ProvisioningErrors.IsTransient(Error);
}
