namespace IoTIdentity.Protocol.Management;

/// <summary>
/// An ownership voucher (<c>PUT /api/v1/ownership-vouchers/{deviceId}</c>): FIDO Device Onboard's ownership voucher,
/// simplified to one signature. The device's manufacturer states that the device whose EK public area hashes to
/// <see cref="DeviceId"/> belongs to the owner whose ownership key hashes to <see cref="OwnerKeySha256"/>, signed with a
/// manufacturer key whose certificate chains to a root the owner trusts (<c>Ownership.OwnershipVouchers</c> signs and
/// verifies one).
/// </summary>
/// <param name="DeviceId">The device id: lowercase hex SHA-256 of the EK public area.</param>
/// <param name="OwnerKeySha256">
/// Lowercase hex SHA-256 of the owner tenant's ownership public key (SubjectPublicKeyInfo DER; the PEM is
/// <c>GET /api/v1/tenants/{tenantId}/ownership-key</c>).
/// </param>
/// <param name="Signature">Base64 of the signature over the voucher's signed bytes: ECDSA (DER) or RSA PKCS#1 v1.5, SHA-256.</param>
/// <param name="SignerChainPem">The signing key's certificate first, then any intermediate certificates, PEM.</param>
public sealed record OwnershipVoucher(string? DeviceId, string? OwnerKeySha256, string? Signature, IReadOnlyList<string>? SignerChainPem);
