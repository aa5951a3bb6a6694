using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Crypto;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// A tenant's issuing CA with its path to the tenant's root verified once, so that a device certificate costs one
/// signature verification and a few comparisons instead of a chain build. Built by <see cref="Verify"/>, which checks:
/// <list type="number">
/// <item>the issuing CA chains to the root and to nothing else (<see cref="X509Chain"/>, the root as the only trust
/// anchor, no revocation, no downloads; its signature, the root's basic constraints and key usage, both certificates'
/// critical extensions) — with the validity periods left to <see cref="IsValidAt"/>, which every use checks;</item>
/// <item>the issuing CA is a CA by its basic constraints and, when it has a key usage, may sign certificates
/// (X509Chain judged it as the end of its own path, where neither is required);</item>
/// <item>neither certificate constrains names or policies (a path that does is judged by a full chain build per device
/// certificate, see <see cref="JudgedPerCertificate"/>);</item>
/// <item>its key is ECDSA or RSA, imported once.</item>
/// </list>
/// Immutable and shared between threads; the key is only used to verify.
/// </summary>
internal sealed class VerifiedIssuingCa
{
    /// <summary>How many verified paths <see cref="Get"/> keeps in its cache before it starts again (they are the tenants' CAs, not the peers').</summary>
    public const int CacheCapacity = 4096;

    private static readonly string[] Constraints = ["2.5.29.30", "2.5.29.33", "2.5.29.36", "2.5.29.54"]; // name, mappings, policy, inhibitAnyPolicy

    private readonly AsymmetricAlgorithm? _key;
    private readonly byte[] _subjectName;
    private readonly (DateTime NotBefore, DateTime NotAfter) _issuing, _root;

    private VerifiedIssuingCa(X509Certificate2 issuing, X509Certificate2 root, AsymmetricAlgorithm? key, string? failure, bool judgedPerCertificate)
    {
        _key = key;
        _subjectName = issuing.SubjectName.RawData;
        _issuing = (issuing.NotBefore.ToUniversalTime(), issuing.NotAfter.ToUniversalTime());
        _root = (root.NotBefore.ToUniversalTime(), root.NotAfter.ToUniversalTime());
        Failure = failure;
        JudgedPerCertificate = judgedPerCertificate;
    }

    /// <summary>Why the path did not verify, or null when it did.</summary>
    public string? Failure { get; }

    /// <summary>The path carries constraints a device certificate's names or policies must meet: only a full chain build judges it.</summary>
    public bool JudgedPerCertificate { get; }

    /// <summary>Whether the issuing CA and the root are both within their validity at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTime now) =>
        now >= _issuing.NotBefore && now <= _issuing.NotAfter && now >= _root.NotBefore && now <= _root.NotAfter;

    /// <summary>
    /// Whether this CA issued <paramref name="certificate"/>: its issuer name is the CA's subject octet for octet and
    /// the CA's key verifies its signature over the TBSCertificate as received.
    /// </summary>
    public bool Issued(X509Certificate2 certificate) =>
        _key is not null
        && certificate.IssuerName.RawData.AsSpan().SequenceEqual(_subjectName)
        && CertificateSignatures.Verify(certificate.RawDataMemory, _key);

    /// <summary>The verified path of <paramref name="issuing"/> under <paramref name="root"/>, from <paramref name="cache"/> or verified now and kept.</summary>
    public static VerifiedIssuingCa Get(ConcurrentDictionary<string, VerifiedIssuingCa> cache, X509Certificate2 root, X509Certificate2 issuing)
    {
        var key = KeyOf(root, issuing);
        if (cache.TryGetValue(key, out var known)) return known;
        var verified = Verify(root, issuing);
        if (cache.Count >= CacheCapacity) cache.Clear();
        return cache.GetOrAdd(key, verified);
    }

    /// <summary>Verifies the path (see the type's remarks); a refusal is kept too, with its reason.</summary>
    public static VerifiedIssuingCa Verify(X509Certificate2 root, X509Certificate2 issuing)
    {
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
            if (!chain.Build(issuing) || chain.ChainElements.Count != 2
                || !chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span))
                return Refused(issuing, root, "the issuing CA does not chain to the tenant's root");
        }
        var usage = issuing.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            return Refused(issuing, root, "the issuing CA may not sign certificates");
        if (issuing.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            return Refused(issuing, root, "the issuing CA is not a CA");
        AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)issuing.GetECDsaPublicKey() ?? issuing.GetRSAPublicKey();
        if (key is null) return Refused(issuing, root, "the issuing CA's key is neither ECDSA nor RSA");
        var constrained = new[] { root, issuing }.Any(c => c.Extensions.Any(e => Constraints.Contains(e.Oid?.Value)));
        return new VerifiedIssuingCa(issuing, root, key, null, constrained);
    }

    private static VerifiedIssuingCa Refused(X509Certificate2 issuing, X509Certificate2 root, string failure) => new(issuing, root, null, failure, false);

    /// <summary>SHA-256 of the root's and the issuing CA's octets: a re-issued CA with the same name is another entry.</summary>
    private static string KeyOf(X509Certificate2 root, X509Certificate2 issuing)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(root.RawDataMemory.Span);
        hash.AppendData(issuing.RawDataMemory.Span);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
