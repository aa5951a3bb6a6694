using IoTIdentity.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The single mapping of <see cref="ProvisioningError"/> to HTTP problem details.</summary>
public static class Problems
{
    /// <summary>A problem response for an error: status from <see cref="ProvisioningErrors.HttpStatus"/>, the reason as title.</summary>
    public static ProblemHttpResult For(ProvisioningError error, string? detail = null) =>
        TypedResults.Problem(title: error.ToString(), detail: detail, statusCode: ProvisioningErrors.HttpStatus(error),
            extensions: new Dictionary<string, object?> { ["error"] = error.ToString() });
}
