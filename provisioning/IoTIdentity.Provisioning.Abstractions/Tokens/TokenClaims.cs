using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>What a device token says, as the device's grain decided it; the tenant's signer adds the issuer and signs.</summary>
[GenerateSerializer, Immutable]
public sealed record TokenClaims
{
    /// <summary><c>sub</c>: the device's URI, as in its certificate's SAN.</summary>
    [Id(0)] public required string Subject { get; init; }
    [Id(1)] public required string Audience { get; init; }
    [Id(2)] public required DateTimeOffset IssuedAt { get; init; }
    [Id(3)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(4)] public required string TokenId { get; init; }
    [Id(5)] public required string DeviceId { get; init; }
    [Id(6)] public required string GroupId { get; init; }
    [Id(7)] public string? FirmwareRelease { get; init; }
    [Id(8)] public required DateTimeOffset AttestedAt { get; init; }
    [Id(9)] public ImmutableList<string> Scopes { get; init; } = [];
    /// <summary><c>cnf.x5t#S256</c>: base64url SHA-256 of the device certificate's DER (RFC 8705).</summary>
    [Id(10)] public required string CertificateThumbprint { get; init; }
    /// <summary><c>cert_serial</c>: the bound certificate's serial number, which its revocation is keyed by.</summary>
    [Id(11)] public string? CertificateSerial { get; init; }
}
