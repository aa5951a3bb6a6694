using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Ek;

/// <summary>
/// The managed reader of EK certificates (<see cref="EkLeaf"/>) against the platform's loader, as a property: for
/// every certificate of a corpus (each profile knob, quirk, key type and curve, untrusted and expired ones, swtpm's)
/// and for mutations of them — truncations, bit flips anywhere, and re-signed certificates whose TBSCertificate was
/// changed (so checks after the signature see the damage), wrong algorithms inside and out — a validator reading
/// with the managed reader and one reading with the platform decide the same: the same failure and detail, the same
/// accepted quirks, and for an accepted certificate the same view of it.
/// </summary>
public sealed class EkCertificateDecodingAgreementTests(ManufacturerFixture fixture) : IClassFixture<ManufacturerFixture>
{
    private const EkCertificateQuirks AllQuirks = (EkCertificateQuirks)~0;

    private ManufacturerCa Ca => fixture.Ca;

    [Fact]
    public async Task Every_certificate_of_the_corpus_is_judged_alike_by_the_managed_reader_and_the_platform()
    {
        await using var swtpm = await SwtpmProcess.StartAsync();
        foreach (var quirks in new[] { EkCertificateQuirks.None, AllQuirks })
        {
            AssertAlike([Ca.RootDer], quirks, Corpus().Select(c => (c.Name, c.Der, c.Intermediates)));
            AssertAlike([swtpm.ManufacturerCa.RootDer], quirks,
            [
                ("swtpm RSA", swtpm.RsaEkCertificateDer, [swtpm.ManufacturerCa.IntermediateDer]),
                ("swtpm ECC", swtpm.EccEkCertificateDer, [swtpm.ManufacturerCa.IntermediateDer]),
            ]);
        }
    }

    [Fact]
    public void The_managed_reader_takes_every_conforming_certificate_of_the_corpus_so_the_comparison_covers_it()
    {
        foreach (var (name, der, _) in Corpus().Where(c => c.Name is not "non-minimal serial"))
            Assert.True(EkLeaf.TryRead(der) is not null, name);
        foreach (ECCurve curve in new[] { ECCurve.NamedCurves.nistP256, ECCurve.NamedCurves.nistP384, ECCurve.NamedCurves.nistP521 })
        {
            using var key = ECDiffieHellman.Create(curve);
            EkLeaf leaf = EkLeaf.TryRead(Ca.IssueEkCertificate(key.ExportParameters(false)))!;
            Assert.NotNull(EkEccPoint.TryRead(leaf.KeyParameters, leaf.KeyValue));
        }
        Assert.Null(EkLeaf.TryRead(Ca.IssueEkCertificate(fixture.Ek, new EkCertificateProfile { SerialEncoding = EkSerialEncoding.NonMinimal })));
    }

    [Fact]
    public void The_negative_serial_quirk_is_always_negative_and_minimally_encoded()
    {
        // the corpus's "negative serial" must differ from a conforming certificate only by its sign: a random first
        // byte of 0xFF before one with its top bit set made it non-minimal too, and the test above failed 1 time in 256
        for (var i = 0; i < 1_000; i++)
        {
            var der = Ca.IssueEkCertificate(fixture.Ek, new EkCertificateProfile { SerialEncoding = EkSerialEncoding.Negative });
            var tbs = new AsnReader(der, AsnEncodingRules.BER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0))) tbs.ReadEncodedValue();
            var serial = tbs.ReadIntegerBytes().Span;

            Assert.True(serial[0] >= 0x80, $"serial {Convert.ToHexString(serial)} is not negative");
            Assert.False(serial.Length > 1 && serial[0] == 0xFF && serial[1] >= 0x80, $"serial {Convert.ToHexString(serial)} is not minimal");
            Assert.NotNull(EkLeaf.TryRead(der));
        }
    }

    [Fact]
    public void An_ECC_point_off_its_curve_or_compressed_is_left_to_the_platform()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        EkLeaf leaf = EkLeaf.TryRead(Ca.IssueEkCertificate(key.ExportParameters(false)))!;
        byte[] offCurve = [.. leaf.KeyValue];
        offCurve[^1] ^= 1;
        byte[] compressed = [(byte)(2 + (leaf.KeyValue[^1] & 1)), .. leaf.KeyValue[1..33]];

        Assert.Null(EkEccPoint.TryRead(leaf.KeyParameters, offCurve));
        Assert.Null(EkEccPoint.TryRead(leaf.KeyParameters, compressed));
        Assert.Null(EkEccPoint.TryRead(null, leaf.KeyValue));
    }

    [Fact]
    public void Truncated_and_bit_flipped_certificates_are_judged_alike()
    {
        var random = new Random(1503);
        List<(string, byte[], IReadOnlyList<byte[]>)> mutants = [];
        foreach (var (name, der, intermediates) in Corpus().Where((_, i) => i % 3 == 0))
        {
            for (int i = 0; i < 12; i++)
            {
                int length = random.Next(der.Length);
                mutants.Add(($"{name} cut at {length}", der[..length], intermediates));
            }
            for (int i = 0; i < 60; i++)
            {
                byte[] flipped = [.. der];
                int bit = random.Next(der.Length * 8);
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                mutants.Add(($"{name} bit {bit} flipped", flipped, intermediates));
            }
        }
        AssertAlike([Ca.RootDer], EkCertificateQuirks.None, mutants);
        AssertAlike([Ca.RootDer], AllQuirks, mutants);
    }

    [Fact]
    public void Re_signed_certificates_with_a_damaged_TBSCertificate_are_judged_alike()
    {
        using var chain = new IssuerChain(Ca.Options.Now, new CaShape("CN=Agreement Root"), new CaShape("CN=Agreement Issuing CA"));
        var random = new Random(2603);
        List<(string, byte[], IReadOnlyList<byte[]>)> mutants = [];
        foreach (var (name, der, _) in Corpus().Where((_, i) => i % 2 == 0))
        {
            mutants.Add(($"{name} re-signed", chain.Reissue(der), chain.IntermediatesDer));
            for (int i = 0; i < 40; i++)
            {
                int bit = -1;
                byte[] mutant = chain.Reissue(der, tbs =>
                {
                    // past the issuer name: the damage lands in validity, subject, key or extensions
                    bit = random.Next(tbs.Length / 3 * 8, tbs.Length * 8);
                    tbs[bit / 8] ^= (byte)(1 << (bit % 8));
                    return tbs;
                });
                mutants.Add(($"{name} re-signed, TBS bit {bit} flipped", mutant, chain.IntermediatesDer));
            }
        }
        AssertAlike([chain.RootDer], EkCertificateQuirks.None, mutants);
        AssertAlike([chain.RootDer], AllQuirks, mutants);
    }

    [Fact]
    public void Certificates_with_wrong_or_mismatched_algorithms_are_judged_alike()
    {
        using var chain = new IssuerChain(Ca.Options.Now, new CaShape("CN=Agreement Root"));
        byte[] rsaEk = Ca.IssueEkCertificate(fixture.Ek);
        using var eccKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        byte[] eccEk = Ca.IssueEkCertificate(eccKey.ExportParameters(false));
        List<(string, byte[], IReadOnlyList<byte[]>)> mutants =
        [
            ("inner SHA-384, outer SHA-256", chain.IssueEkWithMismatchedSignatureAlgorithm(), []),
            ("inner RSA algorithm under an ECDSA signature", chain.Reissue(rsaEk, innerAlgorithm: "1.2.840.113549.1.1.11"), []),
            ("unknown inner algorithm", chain.Reissue(rsaEk, innerAlgorithm: "1.2.3.4"), []),
            ("ECC key labelled Diffie-Hellman", chain.Reissue(eccEk, tbs => Replace(tbs, Oid("1.2.840.10045.2.1"), Oid("1.2.840.10046.2.1"))), []),
            ("ECC key on an unknown curve", chain.Reissue(eccEk, tbs => Replace(tbs, Oid("1.3.132.0.34"), Oid("1.3.132.0.33"))), []),
            ("ECC key with P-256 named for a P-384 point", chain.Reissue(eccEk, tbs => Replace(tbs, Oid("1.3.132.0.34"), Oid("1.3.132.0.10"))), []),
            ("RSA key labelled RSAES-OAEP", chain.Reissue(rsaEk, tbs => Replace(tbs, Oid("1.2.840.113549.1.1.1"), Oid("1.2.840.113549.1.1.7"))), []),
            ("outer algorithm changed", Replace(chain.IssueEk(), Oid("1.2.840.10045.4.3.2"), Oid("1.2.840.10045.4.3.3"), last: true), []),
        ];
        AssertAlike([chain.RootDer], EkCertificateQuirks.None, mutants);
        AssertAlike([chain.RootDer], AllQuirks, mutants);
    }

    /// <summary>Certificates of every profile knob, key kind and curve, from the trusted manufacturer and another.</summary>
    private IEnumerable<(string Name, byte[] Der, IReadOnlyList<byte[]> Intermediates)> Corpus()
    {
        (string, EkCertificateProfile)[] profiles =
        [
            ("default", new EkCertificateProfile()),
            ("hardware module", new EkCertificateProfile { HardwareModule = ("1.3.6.1.4.1.99999.1", [0x00, 0x01, 0xab]) }),
            ("subject with serialNumber", new EkCertificateProfile { Subject = "CN=TPM EK, OID.2.5.4.5=TPM-0042" }),
            ("no SAN", new EkCertificateProfile { OmitSubjectAlternativeName = true }),
            ("no SAN, a subject", new EkCertificateProfile { OmitSubjectAlternativeName = true, Subject = "CN=EK" }),
            ("non-critical SAN", new EkCertificateProfile { SanCritical = false }),
            ("no EKU", new EkCertificateProfile { ExtendedKeyUsages = null }),
            ("server EKU", new EkCertificateProfile { ExtendedKeyUsages = ["1.3.6.1.5.5.7.3.1"] }),
            ("digitalSignature only", new EkCertificateProfile { KeyUsage = X509KeyUsageFlags.DigitalSignature }),
            ("CA", new EkCertificateProfile { IsCa = true }),
            ("critical subject directory attributes", new EkCertificateProfile { SubjectDirectoryAttributesCritical = true }),
            ("no subject directory attributes", new EkCertificateProfile { IncludeSubjectDirectoryAttributes = false }),
            ("expired", new EkCertificateProfile { NotBeforeOffset = TimeSpan.FromDays(-10), NotAfterOffset = TimeSpan.FromDays(-1) }),
            ("not yet valid", new EkCertificateProfile { NotBeforeOffset = TimeSpan.FromDays(1), NotAfterOffset = TimeSpan.FromDays(10) }),
            ("valid past 2050", new EkCertificateProfile { NotAfterOffset = TimeSpan.FromDays(365 * 40) }),
            ("negative serial", new EkCertificateProfile { SerialEncoding = EkSerialEncoding.Negative }),
            ("non-minimal serial", new EkCertificateProfile { SerialEncoding = EkSerialEncoding.NonMinimal }),
            ("corrupt signature", new EkCertificateProfile { CorruptSignature = true }),
            ("no manufacturer", new EkCertificateProfile { Manufacturer = null }),
            ("unknown critical extension", new EkCertificateProfile { ExtraExtensions = [new X509Extension("1.3.6.1.4.1.99999.7", [0x05, 0x00], true)] }),
            ("two basic constraints", new EkCertificateProfile { ExtraExtensions = [new X509Extension("2.5.29.10", [0x30, 0x03, 0x01, 0x01, 0xFF], false)] }),
        ];
        foreach (var (name, profile) in profiles)
            yield return (name, Ca.IssueEkCertificate(fixture.Ek, profile), Ca.IntermediatesDer);
        foreach (ECCurve curve in new[] { ECCurve.NamedCurves.nistP256, ECCurve.NamedCurves.nistP384, ECCurve.NamedCurves.nistP521 })
        {
            using var key = ECDiffieHellman.Create(curve);
            yield return ($"ECC {curve.Oid.FriendlyName}", Ca.IssueEkCertificate(key.ExportParameters(false)), Ca.IntermediatesDer);
        }
        using (var secp256k1 = ECDiffieHellman.Create(ECCurve.CreateFromValue("1.3.132.0.10")))
            yield return ("ECC secp256k1", Ca.IssueEkCertificate(secp256k1.ExportParameters(false)), Ca.IntermediatesDer);
        yield return ("1024-bit RSA", Ca.IssueEkCertificate(RSA.Create(1024).ExportParameters(false)), Ca.IntermediatesDer);
        yield return ("untrusted manufacturer", fixture.OtherCa.IssueEkCertificate(fixture.Ek), fixture.OtherCa.IntermediatesDer);
        yield return ("without its intermediate", Ca.IssueEkCertificate(fixture.Ek), []);
        yield return ("intermediate not a certificate", Ca.IssueEkCertificate(fixture.Ek), [[0x30, 0x00]]);
    }

    private void AssertAlike(byte[][] roots, EkCertificateQuirks quirks, IEnumerable<(string Name, byte[] Der, IReadOnlyList<byte[]> Intermediates)> certificates)
    {
        var clock = new FixedTimeProvider(Ca.Options.Now);
        using var platform = new EkCertificateValidator(roots, clock, quirks, EkCertificateValidator.DefaultIssuerCacheCapacity, platformDecode: true);
        using var managed = new EkCertificateValidator(roots, clock, quirks, EkCertificateValidator.DefaultIssuerCacheCapacity, platformDecode: false);
        foreach (var (name, der, intermediates) in certificates)
        {
            string expected = Describe(platform.Validate(der, intermediates)), actual = Describe(managed.Validate(der, intermediates));
            Assert.True(expected == actual, $"{name} (quirks {quirks}):\n platform: {expected}\n managed:  {actual}");
        }
    }

    /// <summary>Everything a caller sees of a decision.</summary>
    private static string Describe(EkCertificateValidationResult result)
    {
        if (result.Certificate is not { } c)
            return $"{result.Failure}: {result.Detail}; quirks {result.AcceptedQuirks}";
        string key = c.PublicKey switch
        {
            EkRsaPublicKey rsa => $"RSA {Convert.ToHexString(rsa.Modulus)} {Convert.ToHexString(rsa.Exponent)}",
            EkEccPublicKey ecc => $"ECC {ecc.Curve.Oid.Value} {Convert.ToHexString(ecc.X)} {Convert.ToHexString(ecc.Y)}",
            _ => "?",
        };
        return $"valid; quirks {result.AcceptedQuirks}; {key}; {c.Manufacturer}; serial {c.SerialNumber}; issuer {c.Issuer}; " +
            $"{c.NotBefore:O}..{c.NotAfter:O}; chain {string.Join(",", c.IssuerChain.Select(Convert.ToHexString))}; tpm {c.HardwareSerial}; " +
            $"{(c.RawData.Length)} octets";
    }

    private static byte[] Oid(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    /// <summary>The octets with the first (or last) occurrence of <paramref name="from"/> replaced by <paramref name="to"/> of the same length.</summary>
    private static byte[] Replace(byte[] octets, byte[] from, byte[] to, bool last = false)
    {
        Assert.Equal(from.Length, to.Length);
        int at = last ? octets.AsSpan().LastIndexOf(from) : octets.AsSpan().IndexOf(from);
        Assert.True(at >= 0, "the pattern to replace is not there");
        byte[] result = [.. octets];
        to.CopyTo(result, at);
        return result;
    }
}
