using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Certificates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Reads the reason of a revoke call (<see cref="RevokeRequest"/>).</summary>
public static class RevokeReasons
{
    /// <summary>
    /// The reason <paramref name="body"/> names — <paramref name="fallback"/> when it names none — or a
    /// <see cref="ProvisioningError.MalformedRequest"/> problem listing the accepted names.
    /// </summary>
    public static bool TryRead(RevokeRequest? body, out CrlReason reason, out ProblemHttpResult problem,
        CrlReason fallback = CrlReason.Unspecified)
    {
        problem = null!;
        reason = fallback;
        if (body?.Reason is null || CrlReasonNames.TryParse(body.Reason, out reason)) return true;
        problem = Problems.For(ProvisioningError.MalformedRequest, $"reason must be one of: {string.Join(", ", CrlReasonNames.All)}");
        return false;
    }
}
