namespace IoTIdentity.Attestation.Verification;

/// <summary>
/// A verification failed; <see cref="Failure"/> names the reason from a closed list and <see cref="Exception.Message"/>
/// carries detail for logs (never for peers). Distinct from TPM errors and TPM transport errors.
/// </summary>
public sealed class VerificationException(AttestationFailure failure, string detail) : Exception($"{failure}: {detail}")
{
    /// <summary>The reason.</summary>
    public AttestationFailure Failure { get; } = failure;
}
