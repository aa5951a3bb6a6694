namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>The names of a device token's private claims (beside the registered <c>iss sub aud iat nbf exp jti</c>).</summary>
public static class DeviceTokenClaims
{
    /// <summary>The owning tenant.</summary>
    public const string Tenant = "tenant";
    /// <summary>The device's enrolment group.</summary>
    public const string Group = "group";
    /// <summary>The device id (the lowercase hex SHA-256 of its EK public area).</summary>
    public const string DeviceId = "device_id";
    /// <summary>The firmware release the device's last attestation proved, <c>"{product} {version}"</c>.</summary>
    public const string Firmware = "firmware";
    /// <summary>The time of the device's last successful attestation (seconds since the epoch).</summary>
    public const string AttestedAt = "attested_at";
    /// <summary>The granted scopes, space-separated (RFC 8693 §4.2).</summary>
    public const string Scope = "scope";
    /// <summary>The confirmation claim (RFC 7800).</summary>
    public const string Confirmation = "cnf";
    /// <summary>Inside <c>cnf</c>: the SHA-256 thumbprint of the bound certificate (RFC 8705 §3.1).</summary>
    public const string CertificateThumbprint = "x5t#S256";
    /// <summary>The serial number (hex) of the bound certificate, so introspection can find its revocation.</summary>
    public const string CertificateSerial = "cert_serial";
}
