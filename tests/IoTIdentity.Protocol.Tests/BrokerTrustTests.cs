using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;

namespace IoTIdentity.Protocol.Tests;

/// <summary>
/// The remembered broker certificate: the full check runs once per leaf, and the shortcut is taken only for the very
/// same leaf bytes with a clean platform verdict — never for another leaf, never past a platform error.
/// </summary>
public sealed class BrokerTrustTests : IDisposable
{
    private readonly X509Certificate2 _anchor;
    private readonly X509Certificate2 _leaf;
    private readonly ECDsa _anchorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public BrokerTrustTests()
    {
        _anchor = new CertificateRequest("CN=broker test root", _anchorKey, HashAlgorithmName.SHA256)
        {
            CertificateExtensions = { new X509BasicConstraintsExtension(true, false, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true) },
        }.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _leaf = Leaf(_anchor, _anchorKey, "CN=broker");
    }

    public void Dispose()
    {
        _anchor.Dispose();
        _leaf.Dispose();
        _anchorKey.Dispose();
    }

    [Fact]
    public void The_same_leaf_with_a_clean_platform_verdict_is_checked_in_full_once()
    {
        var trust = new BrokerTrust([_anchor]);

        for (var i = 0; i < 5; i++)
            Assert.True(trust.IsTrusted(X509CertificateLoader.LoadCertificate(_leaf.RawData), null, SslPolicyErrors.None));

        Assert.Equal(1, trust.FullChecks);
    }

    [Fact]
    public void Every_other_leaf_takes_the_full_check_and_an_untrusted_one_is_refused_every_time()
    {
        var trust = new BrokerTrust([_anchor]);
        Assert.True(trust.IsTrusted(_leaf, null, SslPolicyErrors.None));
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var strangerRoot = new CertificateRequest("CN=broker test root", strangerKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // same subject, same issuer name, another key: only the bytes tell them apart
        var others = Enumerable.Range(0, 4).Select(_ => Leaf(strangerRoot, strangerKey, "CN=broker")).ToList();

        foreach (var other in others)
            for (var attempt = 0; attempt < 2; attempt++)
                Assert.False(trust.IsTrusted(other, null, SslPolicyErrors.None));

        Assert.Equal(1 + 2 * others.Count, trust.FullChecks);
        others.ForEach(o => o.Dispose());
    }

    [Fact]
    public void A_remembered_leaf_with_any_platform_error_takes_the_full_check_and_name_or_absence_errors_are_refused()
    {
        var trust = new BrokerTrust([_anchor]);
        Assert.True(trust.IsTrusted(_leaf, null, SslPolicyErrors.None));
        var errors = new[] { SslPolicyErrors.RemoteCertificateNameMismatch, SslPolicyErrors.RemoteCertificateNotAvailable, SslPolicyErrors.RemoteCertificateChainErrors };
        var combinations = Enumerable.Range(1, (1 << errors.Length) - 1)
            .Select(mask => errors.Where((_, bit) => (mask & (1 << bit)) != 0).Aggregate(SslPolicyErrors.None, (all, e) => all | e)).ToList();

        foreach (var combination in combinations)
        {
            var before = trust.FullChecks;
            var trusted = trust.IsTrusted(_leaf, null, combination);
            Assert.Equal(before + 1, trust.FullChecks);
            // a chain error alone is re-judged against the anchors (the leaf does chain to them); a name or absence error never passes
            Assert.Equal(combination == SslPolicyErrors.RemoteCertificateChainErrors, trusted);
        }
    }

    [Fact]
    public void Nothing_is_remembered_without_anchors_and_a_missing_certificate_is_refused()
    {
        var trust = new BrokerTrust([]);

        Assert.False(trust.IsTrusted(null, null, SslPolicyErrors.None));
        trust.IsTrusted(_leaf, null, SslPolicyErrors.None);
        trust.IsTrusted(_leaf, null, SslPolicyErrors.None);

        Assert.Equal(2, trust.FullChecks);
    }

    private static X509Certificate2 Leaf(X509Certificate2 issuer, ECDsa issuerKey, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return X509CertificateLoader.LoadCertificate(signed.RawData);
    }
}
