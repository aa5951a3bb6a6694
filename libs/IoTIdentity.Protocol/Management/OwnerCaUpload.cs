namespace IoTIdentity.Protocol.Management;

/// <summary>An issuing CA the owner brings when a tenant is created.</summary>
/// <param name="CertificatePem">The issuing CA certificate followed by the root that issued it, PEM.</param>
/// <param name="PrivateKeyPem">The issuing CA's private key, PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>).</param>
public sealed record OwnerCaUpload(string? CertificatePem, string? PrivateKeyPem);
