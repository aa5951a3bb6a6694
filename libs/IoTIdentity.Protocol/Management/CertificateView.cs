namespace IoTIdentity.Protocol.Management;

/// <summary>One certificate the tenant issued (<c>GET /api/v1/certificates/{serialNumber}</c>).</summary>
/// <param name="SerialNumber">Its serial (lowercase hex).</param>
/// <param name="DeviceId">The device it was issued to.</param>
/// <param name="NotBefore">Valid from.</param>
/// <param name="NotAfter">Valid until.</param>
/// <param name="Revoked">Whether it is on the CRL.</param>
/// <param name="Reason">The RFC 5280 reason name, when revoked.</param>
/// <param name="RevokedAt">When it was revoked.</param>
public sealed record CertificateView(string SerialNumber, string DeviceId, DateTimeOffset? NotBefore, DateTimeOffset? NotAfter, bool Revoked,
    string? Reason, DateTimeOffset? RevokedAt);
