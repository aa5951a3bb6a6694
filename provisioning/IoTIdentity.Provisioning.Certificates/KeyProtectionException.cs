using System.Security.Cryptography;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// A protected private key could not be opened. The message names the key id and the purpose, never key material.
/// </summary>
public sealed class KeyProtectionException : CryptographicException
{
    /// <summary>Creates the exception for <paramref name="failure"/>.</summary>
    /// <param name="failure">Why the key could not be opened.</param>
    /// <param name="message">A short explanation for logs (key ids and purposes only).</param>
    public KeyProtectionException(KeyProtectionFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    /// <summary>Why the key could not be opened.</summary>
    public KeyProtectionFailure Failure { get; }
}
