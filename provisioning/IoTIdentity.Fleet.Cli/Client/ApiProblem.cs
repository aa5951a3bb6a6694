namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>An RFC 9457 problem details body as the service writes it (<c>Problems.For</c>).</summary>
public sealed record ApiProblem
{
    /// <summary>The HTTP status.</summary>
    public int? Status { get; init; }

    /// <summary>The reason, e.g. <c>NotFound</c>.</summary>
    public string? Title { get; init; }

    /// <summary>What was wrong, when the service says.</summary>
    public string? Detail { get; init; }

    /// <summary>The service's error code (the <c>ProvisioningError</c> name).</summary>
    public string? Error { get; init; }

    /// <summary>A further machine-readable reason, when the service adds one.</summary>
    public string? Reason { get; init; }
}
