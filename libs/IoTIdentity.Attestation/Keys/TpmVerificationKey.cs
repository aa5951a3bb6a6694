using System.Security.Cryptography;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.Keys;

/// <summary>
/// A TPM signing key's public area together with its .NET verifier, imported into the platform at most once however
/// many signatures it checks (the AK verifies both the quote and the certify of one attest). The import — which
/// refuses a point off its curve — happens at the first verification, so its failure is that verification's failure.
/// Not thread-safe; dispose it.
/// </summary>
public sealed class TpmVerificationKey(TpmtPublic key) : IDisposable
{
    private AsymmetricAlgorithm? _imported;

    /// <summary>The public area, exactly as presented.</summary>
    public TpmtPublic Public { get; } = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>The RSA verifier, imported on first use.</summary>
    /// <exception cref="ArgumentException">Not an RSA public area.</exception>
    /// <exception cref="CryptographicException">The platform refuses the key.</exception>
    internal RSA Rsa => (RSA)(_imported ??= TpmPublicKeys.ToRsa(Public));

    /// <summary>The ECDSA verifier, imported on first use.</summary>
    /// <exception cref="ArgumentException">Not an ECC public area, or an unsupported curve.</exception>
    /// <exception cref="CryptographicException">The point is not on its curve.</exception>
    internal ECDsa Ecdsa => (ECDsa)(_imported ??= TpmPublicKeys.ToEcdsa(Public));

    /// <inheritdoc />
    public void Dispose() => _imported?.Dispose();
}
