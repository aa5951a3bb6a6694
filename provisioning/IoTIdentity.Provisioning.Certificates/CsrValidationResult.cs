using System.Diagnostics.CodeAnalysis;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>The outcome of <see cref="CertificateSigningRequestValidator.Validate"/>: a verified request or one reason.</summary>
public sealed class CsrValidationResult
{
    private CsrValidationResult(VerifiedCertificateSigningRequest? request, CsrFailure? failure, string? detail)
    {
        Request = request;
        Failure = failure;
        Detail = detail;
    }

    /// <summary>Whether every check passed; then <see cref="Request"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Request))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsValid => Request is not null;

    /// <summary>The verified request, when <see cref="IsValid"/>.</summary>
    public VerifiedCertificateSigningRequest? Request { get; }

    /// <summary>Why the request was refused, when not <see cref="IsValid"/>.</summary>
    public CsrFailure? Failure { get; }

    /// <summary>A short explanation for logs (never peer-facing); null on success.</summary>
    public string? Detail { get; }

    internal static CsrValidationResult Valid(VerifiedCertificateSigningRequest request) => new(request, null, null);

    internal static CsrValidationResult Invalid(CsrFailure failure, string detail) => new(null, failure, detail);
}
