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

    /// <summary>A refused MQTT CONNECT, with the CONNACK's reason string (the endpoint names the refusal, e.g. <c>certificate</c>).</summary>
    public static EnrollmentRefusedException ConnectRefused(string resultCode, string? reasonString) =>
        new(ProvisioningError.NotAuthorized, detail: $"CONNECT refused: {resultCode}{(string.IsNullOrEmpty(reasonString) ? "" : $", {reasonString}")}")
        {
            ConnectReason = string.IsNullOrEmpty(reasonString) ? null : reasonString,
        };

    /// <summary>Why the service refused.</summary>
    public ProvisioningError Error { get; }

    /// <summary>For a refused CONNECT, the endpoint's reason string, if it gave one.</summary>
    public string? ConnectReason { get; private init; }

    /// <summary>When to retry, if the service said so.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether the same request may succeed later (<see cref="ProvisioningErrors.IsTransient"/>).</summary>
    public bool IsTransient => ProvisioningErrors.IsTransient(Error);
}
