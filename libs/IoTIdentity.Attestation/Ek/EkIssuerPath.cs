using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// The certificate that issues EK certificates, with its path to a trusted manufacturer root verified once: what a
/// later EK certificate from the same issuer needs from that verification — the issuer's name and public key
/// (imported once), and the validity window of every certificate on the path, which is checked again at each
/// verification time because the path is reused.
/// </summary>
/// <remarks>
/// <para>Built by <see cref="Verify"/>, which checks, in order (the first failure is the reason):</para>
/// <list type="number">
/// <item>The path from the issuer to a configured root (<see cref="X509Chain"/> in custom-root-trust mode, no
/// revocation, no downloads, at the verification time): every signature, validity period, basic constraints and key
/// usage of the certificates above the issuer, and every certificate's critical extensions —
/// <see cref="EkCertificateFailure.UntrustedRoot"/>, <see cref="EkCertificateFailure.BadSignature"/>,
/// <see cref="EkCertificateFailure.Expired"/>, <see cref="EkCertificateFailure.NotYetValid"/> or
/// <see cref="EkCertificateFailure.InvalidChain"/>.</item>
/// <item>The issuer's key usage, when present, has keyCertSign, and the issuer is a CA by its basic constraints (a
/// trust anchor without them only with a key usage or as a version 1 certificate, as the platform judges one) —
/// InvalidChain. (X509Chain judged it as the end of its own path, where neither is required.)</item>
/// <item>Path length counted with the EK certificate below the issuer: a certificate <c>j</c> places above the
/// issuer has <c>j</c> intermediates under it before the EK certificate, and its pathLenConstraint must allow them
/// — InvalidChain.</item>
/// <item>The issuer's key is RSA or ECDSA — InvalidChain.</item>
/// </list>
/// <para>Immutable and safe to share between threads; the key is only used to verify.</para>
/// </remarks>
internal sealed class EkIssuerPath
{
    private readonly (string Subject, DateTime NotBefore, DateTime NotAfter)[] _windows;
    private readonly AsymmetricAlgorithm _key;

    private EkIssuerPath(byte[] subjectName, AsymmetricAlgorithm key, IReadOnlyList<byte[]> chain,
        (string Subject, DateTime NotBefore, DateTime NotAfter)[] windows)
    {
        SubjectName = subjectName;
        _key = key;
        Chain = chain;
        _windows = windows;
    }

    /// <summary>The issuer's subject name, DER, as the EK certificate's issuer name must read.</summary>
    public byte[] SubjectName { get; }

    /// <summary>The issuer first, the trusted root last, DER.</summary>
    public IReadOnlyList<byte[]> Chain { get; }

    /// <summary>Verifies the path from <paramref name="issuer"/> to one of <paramref name="roots"/> (see the remarks).</summary>
    /// <returns>The verified path, or the reason it was refused.</returns>
    public static (EkIssuerPath? Path, EkCertificateFailure Failure, string Detail) Verify(X509Certificate2 issuer,
        X509Certificate2Collection intermediates, IReadOnlyList<X509Certificate2> roots, DateTimeOffset now)
    {
        using X509Chain? chain = EkChain.Build(issuer, intermediates, roots, now);
        if (chain is null)
            return Refuse(EkChain.Untrusted);
        X509ChainElementCollection elements = chain.ChainElements;
        foreach (X509ChainElement element in elements)
        {
            if (EkChain.Judge(element.Certificate, EkChain.Flags(element), now) is { } refusal)
                return Refuse(refusal);
        }

        X509Certificate2[] path = [.. elements.Select(element => element.Certificate)];
        X509KeyUsageExtension? usage = path[0].Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            return Refuse(EkCertificateFailure.InvalidChain, $"the issuer '{issuer.Subject}' may not sign certificates");
        // A CA by its basic constraints; a trust anchor without them as the platform judges one issuing directly:
        // with a key usage allowing certificate signing, or as a version 1 certificate.
        bool isCa = path[0].Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { } basic
            ? basic.CertificateAuthority
            : path.Length == 1 && (usage is not null || path[0].Version == 1);
        if (!isCa)
            return Refuse(EkCertificateFailure.InvalidChain, $"the issuer '{issuer.Subject}' is not a CA");
        for (int j = 1; j < path.Length; j++)
        {
            if (path[j].Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { HasPathLengthConstraint: true } constraints
                && constraints.PathLengthConstraint < j)
                return Refuse(EkCertificateFailure.InvalidChain, $"'{path[j].Subject}' allows {constraints.PathLengthConstraint} intermediates below it, the path has {j}");
        }

        AsymmetricAlgorithm? key = EkChain.SigningKey(issuer);
        if (key is null)
            return Refuse(EkCertificateFailure.InvalidChain, $"the issuer '{issuer.Subject}' has neither an RSA nor an ECDSA key");
        var windows = path.Select(c => (c.Subject, c.NotBefore.ToUniversalTime(), c.NotAfter.ToUniversalTime())).ToArray();
        return (new EkIssuerPath(issuer.SubjectName.RawData, key, [.. path.Select(c => c.RawData)], windows), default, "");
    }

    /// <summary>Whether every certificate on the path is valid at <paramref name="now"/>; the first that is not, and why.</summary>
    public (EkCertificateFailure Failure, string Detail)? CheckValidityAt(DateTimeOffset now)
    {
        foreach (var (subject, notBefore, notAfter) in _windows)
        {
            if (now < notBefore)
                return (EkCertificateFailure.NotYetValid, $"'{subject}' is not valid yet");
            if (now > notAfter)
                return (EkCertificateFailure.Expired, $"'{subject}' has expired");
        }
        return null;
    }

    /// <summary>Whether the issuer's key verifies the signature of <paramref name="certificate"/> over its TBSCertificate as received.</summary>
    public bool Signed(byte[] certificate) => Crypto.CertificateSignatures.Verify(certificate, _key);

    private static (EkIssuerPath?, EkCertificateFailure, string) Refuse(EkCertificateFailure failure, string detail) => (null, failure, detail);

    private static (EkIssuerPath?, EkCertificateFailure, string) Refuse((EkCertificateFailure Failure, string Detail) refusal) =>
        (null, refusal.Failure, refusal.Detail);
}
