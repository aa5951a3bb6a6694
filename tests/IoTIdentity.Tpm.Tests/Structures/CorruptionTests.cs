using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.TestKit;
using Xunit.Abstractions;
using static IoTIdentity.Tpm.Tests.Structures.Samples;

namespace IoTIdentity.Tpm.Tests.Structures;

/// <summary>
/// Seeded corruption of realistic structures (<see cref="StructureFuzzer"/>): every mutation must parse to the very
/// same bytes or be a <see cref="TpmFormatException"/>. The seed is fixed so a failure reproduces; set
/// IOTIDENTITY_FUZZ_SEED to explore other seeds.
/// </summary>
public class CorruptionTests(ITestOutputHelper output)
{
    private const int Iterations = 5_000;

    private static readonly int Seed =
        int.TryParse(Environment.GetEnvironmentVariable("IOTIDENTITY_FUZZ_SEED"), out var seed) ? seed : 0x10_7_1D;

    private static readonly Dictionary<string, CatalogueEntry> Realistic = new()
    {
        ["TPMS_ATTEST quote"] = CatalogueEntry.Of(Quote),
        ["TPMS_ATTEST certify"] = CatalogueEntry.Of(Certify),
        ["TPMT_PUBLIC RSA AK"] = CatalogueEntry.Of(AkRsa),
        ["TPMT_PUBLIC ECC AK"] = CatalogueEntry.Of(AkEcc),
        ["TPMT_PUBLIC RSA EK template"] = CatalogueEntry.Of(EkRsaTemplate),
        ["TPMT_PUBLIC keyedhash XOR parent"] = CatalogueEntry.Of(XorDerivationParent),
        ["TPMT_SIGNATURE RSASSA"] = CatalogueEntry.Of(RsaSignature),
        ["TPMT_SIGNATURE ECDSA"] = CatalogueEntry.Of(EccSignature),
        ["TPMS_NV_PUBLIC"] = CatalogueEntry.Of(EkCertificateIndex),
        ["TPMS_CREATION_DATA"] = CatalogueEntry.Of(CreationData),
        ["TPM2B_PUBLIC ECC AK"] = CatalogueEntry.Of(Tpm2b<TpmtPublic>.From(AkEcc)),
        ["TPM2B_ATTEST quote"] = CatalogueEntry.Of(Tpm2b<TpmsAttest>.From(Quote)),
        ["TPM2B_ID_OBJECT"] = CatalogueEntry.Of(new Tpm2bIdObject(Filler("integrity", 32), Filler("enc-identity", 34))),
        ["TPMS_CAPABILITY_DATA properties"] = StructureCatalogue.Entries["TPMS_CAPABILITY_DATA properties"],
        ["TPMS_CAPABILITY_DATA PCRs"] = StructureCatalogue.Entries["TPMS_CAPABILITY_DATA PCRs"],
    };

    public static TheoryData<string> RealisticNames() => [.. Realistic.Keys];

    [Theory]
    [MemberData(nameof(RealisticNames))]
    public void A_corrupted_structure_parses_to_the_same_bytes_or_is_a_format_error(string name)
    {
        var entry = Realistic[name];
        var report = StructureFuzzer.Run(entry.Bytes, entry.ParseAndRemarshal, Iterations, Seed);
        output.WriteLine($"{name}: seed {Seed}, {report.Parsed} mutations parsed, {report.Rejected} rejected");
        Assert.True(report.Parsed + report.Rejected == Iterations, $"seed {Seed}: {report}");
        Assert.True(report.Rejected > 0, $"seed {Seed}: no mutation of {name} was rejected ({report})");
    }

    [Theory]
    [MemberData(nameof(StructureCatalogue.Names), MemberType = typeof(StructureCatalogue))]
    public void Every_catalogued_structure_survives_light_corruption(string name)
    {
        var entry = StructureCatalogue.Entries[name];
        var report = StructureFuzzer.Run(entry.Bytes, entry.ParseAndRemarshal, 1_000, Seed);
        Assert.True(report.Rejected > 0, $"seed {Seed}: no mutation of {name} was rejected ({report})");
    }

    [Fact]
    public void The_fuzzer_reports_a_parser_that_throws_something_other_than_a_format_error()
    {
        var sample = TpmMarshal.ToBytes(Clock);
        var e = Assert.ThrowsAny<Exception>(() => StructureFuzzer.Run(sample, bytes =>
            bytes.Length == sample.Length ? bytes : throw new IndexOutOfRangeException(), 200, 7));
        Assert.Contains("seed 7", e.Message);
        Assert.Contains("IndexOutOfRangeException", e.Message);
    }

    [Fact]
    public void The_fuzzer_reports_a_parser_that_does_not_preserve_the_bytes()
    {
        var sample = TpmMarshal.ToBytes(Clock);
        var e = Assert.ThrowsAny<Exception>(() => StructureFuzzer.Run(sample, bytes => bytes.Length == sample.Length ? sample : bytes, 200, 11));
        Assert.Contains("seed 11", e.Message);
        Assert.Contains("re-marshalled to different bytes", e.Message);
    }

    [Fact]
    public void A_mutation_is_reproducible_from_its_seed_and_iteration()
    {
        var sample = TpmMarshal.ToBytes(Quote);
        var first = StructureFuzzer.Mutate(sample, 42, 1234);
        var again = StructureFuzzer.Mutate(sample, 42, 1234);
        Assert.Equal(first.Bytes, again.Bytes);
        Assert.Equal(first.Description, again.Description);
    }
}
