namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A tenant's ownership key: the private key sealed under the key-encryption key, and the public key (SPKI DER).</summary>
[GenerateSerializer, Immutable]
public sealed record OwnershipKeyRecord([property: Id(0)] string ProtectedPrivateKey, [property: Id(1)] byte[] PublicKey)
{
    /// <summary>The public key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string PublicKeyPem => System.Security.Cryptography.PemEncoding.WriteString("PUBLIC KEY", PublicKey);
}
