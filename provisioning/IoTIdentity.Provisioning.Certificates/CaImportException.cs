namespace IoTIdentity.Provisioning.Certificates;

/// <summary>An owner-brought issuing CA was refused; <see cref="Failure"/> says why.</summary>
public sealed class CaImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why the CA was refused.</param>
    /// <param name="message">A short explanation for logs and problem details (no key material).</param>
    public CaImportException(CaImportFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    /// <summary>Why the CA was refused.</summary>
    public CaImportFailure Failure { get; }
}
