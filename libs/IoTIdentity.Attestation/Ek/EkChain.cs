using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// The platform chain build the EK checks rely on — custom-root trust in the configured manufacturer roots, no
/// revocation, no downloads, at the verification time — and the reading of its statuses as EK certificate failures.
/// </summary>
internal static class EkChain
{
    /// <summary>Builds the chain of <paramref name="target"/> through <paramref name="intermediates"/> to one of <paramref name="roots"/>.</summary>
    /// <returns>The built chain, or null when none reaches a configured root.</returns>
    public static X509Chain? Build(X509Certificate2 target, X509Certificate2Collection intermediates,
        IReadOnlyList<X509Certificate2> roots, DateTimeOffset now)
    {
        var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(roots.ToArray());
        policy.ExtraStore.AddRange(intermediates);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        chain.Build(target);
        if (chain.ChainElements.Count > 0 && !chain.ChainStatus.Any(s => s.Status is X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.UntrustedRoot))
            return chain;
        chain.Dispose();
        return null;
    }

    /// <summary>Every status of one element of a built chain.</summary>
    public static X509ChainStatusFlags Flags(X509ChainElement element) =>
        element.ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);

    /// <summary>What <paramref name="flags"/> on <paramref name="certificate"/> refuse it for; null when nothing.</summary>
    public static (EkCertificateFailure Failure, string Detail)? Judge(X509Certificate2 certificate, X509ChainStatusFlags flags, DateTimeOffset now)
    {
        if (flags == X509ChainStatusFlags.NoError)
            return null;
        if (flags.HasFlag(X509ChainStatusFlags.NotSignatureValid))
            return (EkCertificateFailure.BadSignature, $"the signature on '{certificate.Subject}' does not verify");
        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
            return now < certificate.NotBefore.ToUniversalTime()
                ? (EkCertificateFailure.NotYetValid, $"'{certificate.Subject}' is not valid yet")
                : (EkCertificateFailure.Expired, $"'{certificate.Subject}' has expired");
        return (EkCertificateFailure.InvalidChain, $"'{certificate.Subject}': {flags}");
    }

    /// <summary>A CA certificate's signing key, imported: ECDSA or RSA; null for any other.</summary>
    public static AsymmetricAlgorithm? SigningKey(X509Certificate2 ca) =>
        (AsymmetricAlgorithm?)ca.GetECDsaPublicKey() ?? ca.GetRSAPublicKey();

    /// <summary>The refusal when no chain reaches a configured root.</summary>
    public static (EkCertificateFailure Failure, string Detail) Untrusted => (EkCertificateFailure.UntrustedRoot, "no chain to a trusted manufacturer root");
}
