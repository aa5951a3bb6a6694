using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Ek;

/// <summary>
/// The EK certificate's issuer path verified once and then reused: every check must hold on the cached path exactly
/// as on a path verified for the first time.
/// </summary>
public sealed class EkIssuerPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static IssuerChain TwoLevels(CaShape? intermediate = null) =>
        new(Now, new CaShape("CN=Root"), intermediate ?? new CaShape("CN=EK Issuing CA", PathLength: 0));

    /// <summary>Validates with a fresh validator that keeps nothing, then twice with one that caches: all three must agree.</summary>
    private static EkCertificateValidationResult ValidateColdAndWarm(IssuerChain chain, byte[] certificate, DateTimeOffset? at = null)
    {
        var clock = new FixedTimeProvider(at ?? Now);
        using var uncached = new EkCertificateValidator([chain.RootDer], clock, issuerCacheCapacity: 0);
        using var cached = new EkCertificateValidator([chain.RootDer], clock);
        EkCertificateValidationResult cold = uncached.Validate(certificate, chain.IntermediatesDer);
        EkCertificateValidationResult first = cached.Validate(certificate, chain.IntermediatesDer);
        EkCertificateValidationResult again = cached.Validate(certificate, chain.IntermediatesDer);
        Assert.Equal(cold.Failure, first.Failure);
        Assert.Equal(cold.Failure, again.Failure);
        return again;
    }

    [Fact]
    public void Ek_certificate_under_a_two_level_chain_is_accepted_and_reports_the_chain_issuer_first()
    {
        using IssuerChain chain = new(Now, new CaShape("CN=Root"), new CaShape("CN=Policy CA", PathLength: 1), new CaShape("CN=EK Issuing CA", PathLength: 0));

        EkCertificateValidationResult result = ValidateColdAndWarm(chain, chain.IssueEk());

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal([.. chain.IntermediatesDer, chain.RootDer], result.Certificate.IssuerChain);
    }

    [Fact]
    public void Ek_certificate_is_accepted_whatever_the_order_of_the_supplied_intermediates()
    {
        using IssuerChain chain = new(Now, new CaShape("CN=Root"), new CaShape("CN=Policy CA"), new CaShape("CN=EK Issuing CA"));
        using var validator = new EkCertificateValidator([chain.RootDer], new FixedTimeProvider(Now));
        byte[] certificate = chain.IssueEk();

        Assert.True(validator.Validate(certificate, chain.IntermediatesDer).IsValid);
        Assert.True(validator.Validate(certificate, [.. chain.IntermediatesDer.Reverse()]).IsValid);
    }

    [Fact]
    public void Ek_certificate_under_an_intermediate_that_expired_since_it_was_cached_is_refused_as_expired()
    {
        using IssuerChain chain = TwoLevels(new CaShape("CN=EK Issuing CA", Lifetime: TimeSpan.FromDays(30)));
        byte[] certificate = chain.IssueEk(lifetime: TimeSpan.FromDays(365));
        var clock = new FixedTimeProvider(Now);
        using var validator = new EkCertificateValidator([chain.RootDer], clock);
        Assert.True(validator.Validate(certificate, chain.IntermediatesDer).IsValid);

        clock.Now = Now.AddDays(60);

        Assert.Equal(1, validator.CachedIssuerPaths);
        Assert.Equal(EkCertificateFailure.Expired, validator.Validate(certificate, chain.IntermediatesDer).Failure);
        Assert.Equal(EkCertificateFailure.Expired, ValidateColdAndWarm(chain, certificate, Now.AddDays(60)).Failure);
    }

    [Fact]
    public void Ek_certificate_cached_before_its_intermediate_is_valid_is_refused_as_not_yet_valid_earlier()
    {
        using IssuerChain chain = TwoLevels();
        byte[] certificate = chain.IssueEk(notBefore: Now.AddDays(-10));
        var clock = new FixedTimeProvider(Now);
        using var validator = new EkCertificateValidator([chain.RootDer], clock);
        Assert.True(validator.Validate(certificate, chain.IntermediatesDer).IsValid);

        clock.Now = Now.AddDays(-3);

        Assert.Equal(EkCertificateFailure.NotYetValid, validator.Validate(certificate, chain.IntermediatesDer).Failure);
    }

    [Fact]
    public void Ek_certificate_naming_an_issuer_that_is_not_its_intermediate_is_refused_as_untrusted()
    {
        using IssuerChain chain = TwoLevels();

        var result = ValidateColdAndWarm(chain, chain.IssueEk(issuerName: new X500DistinguishedName("CN=Someone Else")));

        Assert.Equal(EkCertificateFailure.UntrustedRoot, result.Failure);
    }

    [Fact]
    public void Ek_certificate_naming_the_intermediate_but_signed_by_another_key_is_refused_even_when_the_intermediate_is_cached()
    {
        using IssuerChain chain = TwoLevels();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var validator = new EkCertificateValidator([chain.RootDer], new FixedTimeProvider(Now));
        byte[] forged = chain.IssueEk(signer: forger);

        Assert.Equal(EkCertificateFailure.BadSignature, validator.Validate(forged, chain.IntermediatesDer).Failure);
        Assert.True(validator.Validate(chain.IssueEk(), chain.IntermediatesDer).IsValid);
        Assert.Equal(1, validator.CachedIssuerPaths);
        Assert.Equal(EkCertificateFailure.BadSignature, validator.Validate(forged, chain.IntermediatesDer).Failure);
    }

    [Fact]
    public void Ek_certificate_whose_inner_signature_algorithm_differs_from_the_outer_one_is_refused()
    {
        using IssuerChain chain = TwoLevels();

        Assert.Equal(EkCertificateFailure.BadSignature, ValidateColdAndWarm(chain, chain.IssueEkWithMismatchedSignatureAlgorithm()).Failure);
    }

    public static TheoryData<string, CaShape[]> InvalidPaths => new()
    {
        { "intermediate with an unknown critical extension", [new("CN=Root"), new("CN=EK Issuing CA", UnknownCriticalExtension: true)] },
        { "root with an unknown critical extension", [new("CN=Root", UnknownCriticalExtension: true), new("CN=EK Issuing CA")] },
        { "issuer that is not a CA", [new("CN=Root"), new("CN=EK Issuing CA", IsCa: false)] },
        { "issuer without keyCertSign", [new("CN=Root"), new("CN=EK Issuing CA", KeyUsage: X509KeyUsageFlags.DigitalSignature)] },
        { "middle CA that is not a CA", [new("CN=Root"), new("CN=Policy CA", IsCa: false), new("CN=EK Issuing CA")] },
        { "root allowing no intermediate above one", [new("CN=Root", PathLength: 0), new("CN=EK Issuing CA")] },
        { "root allowing one intermediate above two", [new("CN=Root", PathLength: 1), new("CN=Policy CA"), new("CN=EK Issuing CA")] },
        { "middle CA allowing no intermediate above one", [new("CN=Root"), new("CN=Policy CA", PathLength: 0), new("CN=EK Issuing CA")] },
    };

    [Theory]
    [MemberData(nameof(InvalidPaths))]
    public void Ek_certificate_under_an_invalid_path_is_refused_as_an_invalid_chain_and_the_path_is_not_cached(string path, CaShape[] shapes)
    {
        using IssuerChain chain = new(Now, shapes);
        using var validator = new EkCertificateValidator([chain.RootDer], new FixedTimeProvider(Now));

        EkCertificateValidationResult result = validator.Validate(chain.IssueEk(), chain.IntermediatesDer);

        Assert.True(result.Failure == EkCertificateFailure.InvalidChain, $"{path}: {result.Failure} {result.Detail}");
        Assert.Equal(EkCertificateFailure.InvalidChain, ValidateColdAndWarm(chain, chain.IssueEk()).Failure);
        Assert.Equal(0, validator.CachedIssuerPaths);
    }

    public static TheoryData<string, CaShape[]> UnusualPaths => new()
    {
        { "issuer without basic constraints, with keyCertSign", [new("CN=Root"), new("CN=EK Issuing CA", BasicConstraints: false)] },
        { "issuer without basic constraints or key usage", [new("CN=Root"), new("CN=EK Issuing CA", BasicConstraints: false, HasKeyUsage: false)] },
        { "issuer without key usage", [new("CN=Root"), new("CN=EK Issuing CA", HasKeyUsage: false)] },
        { "root issuing directly without basic constraints", [new("CN=Root", BasicConstraints: false)] },
        { "root issuing directly without basic constraints or key usage", [new("CN=Root", BasicConstraints: false, HasKeyUsage: false)] },
        { "root issuing directly that is not a CA", [new("CN=Root", IsCa: false)] },
        { "root issuing directly allowing no intermediate", [new("CN=Root", PathLength: 0)] },
    };

    /// <summary>The platform's judgement of the whole chain, EK certificate included: what the verifier did before it kept issuer paths.</summary>
    private static bool PlatformAccepts(IssuerChain chain, byte[] certificate)
    {
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate);
        using var platform = new X509Chain();
        platform.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        platform.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(chain.RootDer));
        foreach (byte[] der in chain.IntermediatesDer) platform.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(der));
        platform.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        platform.ChainPolicy.VerificationTime = Now.UtcDateTime;
        return platform.Build(leaf);
    }

    [Theory]
    [MemberData(nameof(UnusualPaths))]
    public void Ek_certificate_under_an_unusual_path_is_judged_as_the_platform_judges_the_whole_chain(string path, CaShape[] shapes)
    {
        using IssuerChain chain = new(Now, shapes);
        byte[] certificate = chain.IssueEk();

        EkCertificateValidationResult result = ValidateColdAndWarm(chain, certificate);

        Assert.True(PlatformAccepts(chain, certificate) == result.IsValid, $"{path}: platform {PlatformAccepts(chain, certificate)}, validator {result.Failure} {result.Detail}");
    }

    [Fact]
    public void Ek_certificate_path_lengths_that_allow_the_path_are_accepted()
    {
        using IssuerChain chain = new(Now, new CaShape("CN=Root", PathLength: 2), new CaShape("CN=Policy CA", PathLength: 1), new CaShape("CN=EK Issuing CA", PathLength: 0));

        EkCertificateValidationResult result = ValidateColdAndWarm(chain, chain.IssueEk());

        Assert.True(result.IsValid, result.Detail);
    }

    [Fact]
    public void Issuer_cache_keeps_at_most_its_capacity_and_still_validates_what_it_let_go()
    {
        IssuerChain[] manufacturers = [.. Enumerable.Range(0, 4).Select(i => new IssuerChain(Now, new CaShape($"CN=Root {i}"), new CaShape($"CN=EK Issuing CA {i}")))];
        try
        {
            using var validator = new EkCertificateValidator(manufacturers.Select(m => m.RootDer), new FixedTimeProvider(Now), issuerCacheCapacity: 2);
            byte[][] certificates = [.. manufacturers.Select(m => m.IssueEk())];

            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < manufacturers.Length; i++)
                {
                    Assert.True(validator.Validate(certificates[i], manufacturers[i].IntermediatesDer).IsValid);
                    Assert.True(validator.CachedIssuerPaths <= 2);
                }
            }
            Assert.Equal(2, validator.CachedIssuerPaths);
        }
        finally
        {
            foreach (IssuerChain manufacturer in manufacturers) manufacturer.Dispose();
        }
    }

    [Fact]
    public void Issuer_cache_of_capacity_zero_keeps_nothing()
    {
        using IssuerChain chain = TwoLevels();
        using var validator = new EkCertificateValidator([chain.RootDer], new FixedTimeProvider(Now), issuerCacheCapacity: 0);

        Assert.True(validator.Validate(chain.IssueEk(), chain.IntermediatesDer).IsValid);
        Assert.Equal(0, validator.CachedIssuerPaths);
    }

    [Fact]
    public void Cached_and_uncached_validation_agree_on_every_certificate_in_every_order()
    {
        using IssuerChain chain = TwoLevels(new CaShape("CN=EK Issuing CA", Lifetime: TimeSpan.FromDays(30)));
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[][] certificates =
        [
            chain.IssueEk(),
            chain.IssueEk(signer: forger),
            chain.IssueEk(issuerName: new X500DistinguishedName("CN=Someone Else")),
            chain.IssueEkWithMismatchedSignatureAlgorithm(),
            chain.IssueEk(lifetime: TimeSpan.FromDays(-0.5)),
        ];
        DateTimeOffset[] times = [Now, Now.AddDays(60), Now.AddDays(-3)];
        var clock = new FixedTimeProvider(Now);
        using var uncached = new EkCertificateValidator([chain.RootDer], clock, issuerCacheCapacity: 0);
        var expected = new Dictionary<(int, int), EkCertificateFailure?>();
        for (int c = 0; c < certificates.Length; c++)
        for (int t = 0; t < times.Length; t++)
        {
            clock.Now = times[t];
            expected[(c, t)] = uncached.Validate(certificates[c], chain.IntermediatesDer).Failure;
        }

        var random = new Random(20261203);
        for (int round = 0; round < 6; round++)
        {
            using var cached = new EkCertificateValidator([chain.RootDer], clock);
            foreach (var (c, t) in expected.Keys.OrderBy(_ => random.Next()).ToList())
            {
                clock.Now = times[t];
                Assert.Equal(expected[(c, t)], cached.Validate(certificates[c], chain.IntermediatesDer).Failure);
            }
        }
        Assert.Null(expected[(0, 0)]);
        Assert.Equal(EkCertificateFailure.Expired, expected[(0, 1)]);
        Assert.Equal(EkCertificateFailure.BadSignature, expected[(1, 0)]);
    }

    /// <summary>A one-attribute name, its common name in the string type given.</summary>
    private static X500DistinguishedName CommonName(UniversalTagNumber stringType, string text)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSetOf())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("2.5.4.3");
            writer.WriteCharacterString(stringType, text);
        }
        return new X500DistinguishedName(writer.Encode());
    }

    /// <summary>A self-signed certificate whose subject and issuer are <paramref name="name"/>.</summary>
    private static byte[] SelfIssued(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        using X509Certificate2 certificate = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        return certificate.RawData;
    }

    /// <summary>Whether the platform's chain build takes the certificate to the root through the supplied intermediates (whatever else it finds wrong).</summary>
    private static bool PlatformReachesRoot(byte[] root, IReadOnlyList<byte[]> intermediates, byte[] certificate)
    {
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate);
        using var platform = new X509Chain();
        platform.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        platform.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(root));
        foreach (byte[] der in intermediates) platform.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(der));
        platform.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        platform.ChainPolicy.DisableCertificateDownloads = true;
        platform.ChainPolicy.VerificationTime = Now.UtcDateTime;
        platform.Build(leaf);
        return platform.ChainElements.Count > 0 && !platform.ChainStatus.Any(s => s.Status is X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.UntrustedRoot);
    }

    [Fact]
    public void Unreachable_issuers_are_refused_as_the_platform_refuses_them_whatever_came_before()
    {
        using IssuerChain chain = TwoLevels();
        using IssuerChain other = new(Now, new CaShape("CN=Other Vendor Root"), new CaShape("CN=Other Vendor EK CA"));
        byte[][] certificates =
        [
            chain.IssueEk(),
            // the issuing CA's name as a chain builder compares names (case, string type, white space), not octet for octet
            chain.IssueEk(issuerName: new X500DistinguishedName("CN=ek issuing ca")),
            chain.IssueEk(issuerName: CommonName(UniversalTagNumber.PrintableString, "  EK   Issuing  CA ")),
            chain.IssueEk(issuerName: CommonName(UniversalTagNumber.BMPString, "EK Issuing CA")),
            // another vendor's devices, and a name one letter off, signed by the issuing CA
            other.IssueEk(),
            other.IssueEk(),
            chain.IssueEk(issuerName: new X500DistinguishedName("CN=EK Issuing CB")),
            // a name outside printable ASCII, which the loose comparison does not judge
            chain.IssueEk(issuerName: new X500DistinguishedName("CN=Émetteur EK")),
            // a certificate claiming the issuing CA's name for itself, signed by its own key
            SelfIssued("CN=ek ISSUING ca"),
            // earlier steps come first: expired, under another vendor
            other.IssueEk(lifetime: TimeSpan.FromDays(-0.5)),
        ];
        IReadOnlyList<byte[]>[] supplied = [chain.IntermediatesDer, [], other.IntermediatesDer, [.. other.IntermediatesDer, .. chain.IntermediatesDer]];
        var clock = new FixedTimeProvider(Now);
        var expected = new Dictionary<(int, int), EkCertificateFailure?>();
        for (int c = 0; c < certificates.Length; c++)
        for (int s = 0; s < supplied.Length; s++)
        {
            using var fresh = new EkCertificateValidator([chain.RootDer], clock);
            EkCertificateValidationResult result = fresh.Validate(certificates[c], supplied[s]);
            expected[(c, s)] = result.Failure;
            if (c != 9)
                Assert.True(PlatformReachesRoot(chain.RootDer, supplied[s], certificates[c]) == (result.Failure != EkCertificateFailure.UntrustedRoot),
                    $"certificate {c} with intermediates {s}: platform reaches root {PlatformReachesRoot(chain.RootDer, supplied[s], certificates[c])}, validator {result.Failure} {result.Detail}");
        }
        Assert.Null(expected[(0, 0)]);
        Assert.Null(expected[(1, 0)]);
        Assert.Null(expected[(2, 0)]);
        Assert.Equal(EkCertificateFailure.UntrustedRoot, expected[(0, 1)]);
        Assert.Equal(EkCertificateFailure.UntrustedRoot, expected[(4, 2)]);
        Assert.Equal(EkCertificateFailure.Expired, expected[(9, 2)]);

        var random = new Random(20261204);
        for (int round = 0; round < 6; round++)
        {
            using var validator = new EkCertificateValidator([chain.RootDer], clock);
            foreach (var (c, s) in expected.Keys.OrderBy(_ => random.Next()).ToList())
                Assert.True(expected[(c, s)] == validator.Validate(certificates[c], supplied[s]).Failure, $"round {round}: certificate {c} with intermediates {s}");
            Assert.True(validator.CachedUnreachableIssuers > 0);
        }
    }

    [Fact]
    public void Unreachable_issuers_are_kept_at_most_to_the_cache_capacity()
    {
        using IssuerChain chain = TwoLevels();
        IssuerChain[] vendors = [.. Enumerable.Range(0, 4).Select(i => new IssuerChain(Now, new CaShape($"CN=Vendor {i} Root"), new CaShape($"CN=Vendor {i} EK CA")))];
        try
        {
            using var validator = new EkCertificateValidator([chain.RootDer], new FixedTimeProvider(Now), issuerCacheCapacity: 2);
            for (int round = 0; round < 2; round++)
            {
                foreach (IssuerChain vendor in vendors)
                {
                    Assert.Equal(EkCertificateFailure.UntrustedRoot, validator.Validate(vendor.IssueEk(), vendor.IntermediatesDer).Failure);
                    Assert.True(validator.CachedUnreachableIssuers <= 2);
                }
            }
            Assert.Equal(2, validator.CachedUnreachableIssuers);
            Assert.True(validator.Validate(chain.IssueEk(), chain.IntermediatesDer).IsValid);
        }
        finally
        {
            foreach (IssuerChain vendor in vendors) vendor.Dispose();
        }
    }

    [Theory]
    [InlineData("CN=EK Issuing CA", "cn=ek  issuing CA")]
    [InlineData("CN=EK Issuing CA, O=Vendor", "CN=EK Issuing CA,O=VENDOR")]
    [InlineData("CN=\"  Padded \"", "CN=Padded")]
    public void Loose_names_of_names_a_chain_builder_takes_as_equal_are_equal(string left, string right)
    {
        Assert.Equal(EkCertificateValidator.LooseName(new X500DistinguishedName(left).RawData), EkCertificateValidator.LooseName(new X500DistinguishedName(right).RawData));
        Assert.NotNull(EkCertificateValidator.LooseName(new X500DistinguishedName(left).RawData));
    }

    [Fact]
    public void Loose_names_are_not_promised_for_names_outside_printable_ascii_or_rendered_as_hex()
    {
        Assert.Null(EkCertificateValidator.LooseName(new X500DistinguishedName("CN=Émetteur").RawData));
        Assert.Null(EkCertificateValidator.LooseName([0x30, 0x03, 0x02, 0x01, 0x00]));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSetOf())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("2.5.4.3");
            writer.WriteInteger(7);
        }
        Assert.Null(EkCertificateValidator.LooseName(writer.Encode()));
        Assert.Equal(EkCertificateValidator.LooseName(CommonName(UniversalTagNumber.UTF8String, "Ab").RawData),
            EkCertificateValidator.LooseName(CommonName(UniversalTagNumber.PrintableString, "aB").RawData));
    }
}
