using System.Diagnostics.CodeAnalysis;

namespace IoTIdentity.Attestation.Ek;

/// <summary>The outcome of <see cref="EkCertificateValidator.Validate"/>: a verified certificate or one reason.</summary>
public sealed class EkCertificateValidationResult
{
    private EkCertificateValidationResult(EkCertificate? certificate, EkCertificateFailure? failure, string? detail,
        EkCertificateQuirks acceptedQuirks)
    {
        Certificate = certificate;
        Failure = failure;
        Detail = detail;
        AcceptedQuirks = acceptedQuirks;
    }

    /// <summary>Whether every check passed; then <see cref="Certificate"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Certificate))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsValid => Certificate is not null;

    /// <summary>The verified certificate, when <see cref="IsValid"/>.</summary>
    public EkCertificate? Certificate { get; }

    /// <summary>Why the certificate was refused, when not <see cref="IsValid"/>.</summary>
    public EkCertificateFailure? Failure { get; }

    /// <summary>A short explanation for logs (never peer-facing); null on success.</summary>
    public string? Detail { get; }

    /// <summary>The configured quirks this certificate needed (so far, when it was refused).</summary>
    public EkCertificateQuirks AcceptedQuirks { get; }

    internal static EkCertificateValidationResult Valid(EkCertificate certificate, EkCertificateQuirks quirks) =>
        new(certificate, null, null, quirks);

    internal static EkCertificateValidationResult Invalid(EkCertificateFailure failure, string detail, EkCertificateQuirks quirks) =>
        new(null, failure, detail, quirks);
}
