namespace IoTIdentity.Protocol.Management;

/// <summary>
/// An RFC 9457 problem details body as the service writes it: the <see cref="ProvisioningError"/> name as title and as
/// the <c>error</c> extension, the HTTP status from <see cref="ProvisioningErrors.HttpStatus"/>.
/// </summary>
public sealed record ApiProblem
{
    /// <summary>The HTTP status.</summary>
    public int? Status { get; init; }

    /// <summary>The reason, e.g. <c>NotFound</c>.</summary>
    public string? Title { get; init; }

    /// <summary>What was wrong, when the service says.</summary>
    public string? Detail { get; init; }

    /// <summary>The service's error code (the <see cref="ProvisioningError"/> name).</summary>
    public string? Error { get; init; }

    /// <summary>A further machine-readable reason, when the service adds one.</summary>
    public string? Reason { get; init; }
}
