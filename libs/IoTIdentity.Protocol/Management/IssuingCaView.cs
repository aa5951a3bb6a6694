namespace IoTIdentity.Protocol.Management;

/// <summary>One issuing CA of the tenant: the current one, or one a rotation retired and the service still keeps.</summary>
/// <param name="SerialNumber">The CA certificate's serial (lowercase hex): its CRL is <c>/crl/{tenant}/{serial}.crl</c>.</param>
/// <param name="CertificatePem">The CA certificate.</param>
/// <param name="NotAfter">When the CA certificate expires (no device certificate it signed outlives it).</param>
/// <param name="Status"><c>current</c> (signs new device certificates) or <c>retired</c> (signs only its CRL).</param>
/// <param name="RetiredAt">When a rotation replaced it; null for the current CA.</param>
/// <param name="KeptUntil">Until when a retired CA's CRL is served and its certificates are accepted; null for the current CA.</param>
public sealed record IssuingCaView(string SerialNumber, string CertificatePem, DateTimeOffset NotAfter, string Status,
    DateTimeOffset? RetiredAt = null, DateTimeOffset? KeptUntil = null);
