using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Protocol.Ownership;

/// <summary>
/// Makes and checks ownership vouchers (<see cref="OwnershipVoucher"/>). The signed bytes are the UTF-8 of
/// <c>iotid-ownership-voucher-v1\n{deviceId}\n{ownerKeySha256}\n</c>; the verifier is offline (roots and time given).
/// </summary>
public static class OwnershipVouchers
{
    private const string Context = "iotid-ownership-voucher-v1";

    /// <summary>The bytes a voucher's signature covers.</summary>
    public static byte[] SignedBytes(string deviceId, string ownerKeySha256) => Encoding.UTF8.GetBytes($"{Context}\n{deviceId}\n{ownerKeySha256}\n");

    /// <summary>Lowercase hex SHA-256 of an owner's public key (SubjectPublicKeyInfo DER).</summary>
    public static string OwnerKeySha256(byte[] ownerPublicKey) => Convert.ToHexStringLower(SHA256.HashData(ownerPublicKey));

    /// <summary>A voucher for <paramref name="deviceId"/> and the owner key, signed by <paramref name="signer"/> (ECDSA or RSA) whose chain is given signer first.</summary>
    public static OwnershipVoucher Create(string deviceId, byte[] ownerPublicKey, AsymmetricAlgorithm signer, IEnumerable<byte[]> signerChainDer)
    {
        var owner = OwnerKeySha256(ownerPublicKey);
        var bytes = SignedBytes(deviceId, owner);
        var signature = signer switch
        {
            ECDsa ecdsa => ecdsa.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            RSA rsa => rsa.SignData(bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("the signer is ECDSA or RSA", nameof(signer)),
        };
        return new OwnershipVoucher(deviceId, owner, Convert.ToBase64String(signature),
            signerChainDer.Select(der => PemEncoding.WriteString("CERTIFICATE", der)).ToList());
    }

    /// <summary>
    /// Checks, in order: every field is present and parses (<see cref="VoucherFailure.Malformed"/>); the voucher is for
    /// <paramref name="deviceId"/> (<see cref="VoucherFailure.WrongDevice"/>) and names <paramref name="ownerPublicKey"/>
    /// (<see cref="VoucherFailure.WrongOwner"/>); the signer's certificate is current at <paramref name="now"/>, may sign
    /// (digitalSignature when it has a key usage) and chains through the given intermediates to one of
    /// <paramref name="trustedRoots"/> (<see cref="VoucherFailure.UntrustedSigner"/>); the signature is the signer's
    /// over the signed bytes (<see cref="VoucherFailure.BadSignature"/>).
    /// </summary>
    public static VoucherFailure Verify(OwnershipVoucher voucher, string deviceId, byte[] ownerPublicKey, IReadOnlyList<byte[]> trustedRoots, DateTimeOffset now)
    {
        if (voucher.DeviceId is not { } id || !DeviceIds.IsValid(id) || voucher.OwnerKeySha256 is not { Length: 64 } owner
            || !owner.All(char.IsAsciiHexDigit) || voucher.SignerChainPem is not { Count: > 0 } pems || pems.Count > 8)
            return VoucherFailure.Malformed;
        var signature = new byte[((voucher.Signature?.Length ?? 0) + 3) / 4 * 3];
        if (voucher.Signature is null || !Convert.TryFromBase64String(voucher.Signature, signature, out var length)) return VoucherFailure.Malformed;
        signature = signature[..length];
        if (id != deviceId) return VoucherFailure.WrongDevice;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(owner.ToLowerInvariant()), Encoding.ASCII.GetBytes(OwnerKeySha256(ownerPublicKey))))
            return VoucherFailure.WrongOwner;

        var chain = new List<X509Certificate2>();
        try
        {
            foreach (var pem in pems) chain.Add(X509Certificate2.CreateFromPem(pem));
        }
        catch (CryptographicException)
        {
            foreach (var certificate in chain) certificate.Dispose();
            return VoucherFailure.Malformed;
        }
        try
        {
            if (!ChainsToTrustedRoot(chain, trustedRoots, now)) return VoucherFailure.UntrustedSigner;
            return SignatureHolds(chain[0], SignedBytes(id, owner), signature) ? VoucherFailure.None : VoucherFailure.BadSignature;
        }
        finally
        {
            foreach (var certificate in chain) certificate.Dispose();
        }
    }

    private static bool ChainsToTrustedRoot(List<X509Certificate2> chain, IReadOnlyList<byte[]> trustedRoots, DateTimeOffset now)
    {
        var signer = chain[0];
        if (now < signer.NotBefore || now > signer.NotAfter) return false;
        if (signer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
            return false;
        if (trustedRoots.Count == 0) return false;
        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.VerificationTime = now.UtcDateTime;
        foreach (var root in trustedRoots) builder.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(root));
        foreach (var intermediate in chain.Skip(1)) builder.ChainPolicy.ExtraStore.Add(intermediate);
        try
        {
            return builder.Build(signer);
        }
        finally
        {
            foreach (var element in builder.ChainPolicy.CustomTrustStore) element.Dispose();
        }
    }

    private static bool SignatureHolds(X509Certificate2 signer, byte[] bytes, byte[] signature)
    {
        using var ecdsa = signer.GetECDsaPublicKey();
        if (ecdsa is not null) return ecdsa.VerifyData(bytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        using var rsa = signer.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(bytes, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
