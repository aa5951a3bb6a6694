namespace IoTIdentity.Protocol.Management;

/// <summary>
/// A device's last re-attest request and whether the device answered it (<see cref="DeviceDetails.Reattest"/>):
/// <c>requested</c> (no answer yet: the device is away or has not renewed), <c>attested</c> (an attestation was
/// accepted after the request) or <c>failed</c> (the device's TPM answered, but the attestation was refused; the request
/// stays open and is sent again).
/// </summary>
/// <param name="RequestedAt">When the request was recorded.</param>
/// <param name="State"><c>requested</c>, <c>attested</c> or <c>failed</c>.</param>
/// <param name="AnsweredAt">When the device answered (the accepted attestation, or the last refused one).</param>
/// <param name="Reason">Why the answer was refused (<c>{error}: {detail}</c>), when <c>failed</c>.</param>
public sealed record ReattestStatus(DateTimeOffset RequestedAt, string State, DateTimeOffset? AnsweredAt = null, string? Reason = null)
{
    /// <summary>Asked; no answer yet.</summary>
    public const string Requested = "requested";

    /// <summary>An attestation was accepted after the request.</summary>
    public const string Attested = "attested";

    /// <summary>The device answered with an attestation that was refused.</summary>
    public const string Failed = "failed";
}
