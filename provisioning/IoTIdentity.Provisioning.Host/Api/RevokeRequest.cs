using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Certificates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The body of a revoke call: an optional RFC 5280 CRLReason name (<c>keyCompromise</c>, <c>superseded</c>, …).</summary>
public sealed record RevokeRequest(string? Reason)
{
    /// <summary>
    /// The reason <paramref name="body"/> names — <paramref name="fallback"/> when it names none — or a
    /// <see cref="ProvisioningError.MalformedRequest"/> problem listing the accepted names.
    /// </summary>
    public static bool TryReason(RevokeRequest? body, out CrlReason reason, out ProblemHttpResult problem,
        CrlReason fallback = CrlReason.Unspecified)
    {
        problem = null!;
        reason = fallback;
        if (body?.Reason is null || CrlReasonNames.TryParse(body.Reason, out reason)) return true;
        problem = Problems.For(ProvisioningError.MalformedRequest, $"reason must be one of: {string.Join(", ", CrlReasonNames.All)}");
        return false;
    }
}
