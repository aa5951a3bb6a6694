namespace IoTIdentity.Provisioning.Certificates;

/// <summary>One entry of a CRL.</summary>
/// <param name="SerialNumber">The revoked certificate's serial in hex (as in <see cref="IssuedCertificate.SerialNumber"/>; any case).</param>
/// <param name="RevokedAt">When it was revoked (written in whole seconds).</param>
/// <param name="Reason">Why.</param>
public sealed record RevokedCertificate(string SerialNumber, DateTimeOffset RevokedAt, CrlReason Reason);
