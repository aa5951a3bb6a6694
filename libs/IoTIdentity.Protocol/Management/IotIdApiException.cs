namespace IoTIdentity.Protocol.Management;

/// <summary>The service answered and refused: a non-success status, with its problem details when it sent them.</summary>
public sealed class IotIdApiException(int status, ApiProblem problem)
    : Exception($"{problem.Title ?? "HTTP " + status} ({status}){(problem.Detail is null ? "" : ": " + problem.Detail)}")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The problem details (a title made from the status when the body had none).</summary>
    public ApiProblem Problem { get; } = problem;
}
