using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.WebConsole;

namespace IoTIdentity.Console.Tests;

/// <summary>The groups page's editor: each mistake is named before anything is sent, and a valid draft round-trips.</summary>
public sealed class GroupDraftTests
{
    private static readonly string Pcr = new('a', 64);

    public static TheoryData<string, Action<GroupDraft>> Mistakes => new()
    {
        { "PCR indices: '24' is not a PCR index", d => d.PcrIndices = "0,24" },
        { "PCR indices: 'x' is not a PCR index", d => d.PcrIndices = "x" },
        { "PCR indices: an index is listed twice", d => d.PcrIndices = "1,1" },
        { "Allowed PCR values, line 1: write index=hex", d => d.AllowedPcrValues = "9=" + Pcr },
        { "Allowed PCR values, line 2: a SHA-256 PCR value is 64 hex digits", d => d.AllowedPcrValues = $"0={Pcr}\n1=abc" },
        { "Allowed PCR values, line 1: a SHA-256 PCR value is 64 hex digits", d => d.AllowedPcrValues = "0=" + new string('g', 64) },
        { "Allowed firmware: must be a JSON array", d => d.AllowedFirmwareJson = "{}" },
        { "Allowed firmware: not JSON", d => d.AllowedFirmwareJson = "[{" },
        { "Certificate lifetime: 0–3650 days", d => d.LifetimeDays = 0 },
        { "Quota: must not be negative", d => d.Quota = -1 },
        { "Trusted root 1: not a PEM certificate", d => d.RootsPem.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----") },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_named_and_nothing_is_sent(string expected, Action<GroupDraft> mistake)
    {
        var draft = new GroupDraft();
        mistake(draft);

        var (group, problems) = draft.ToGroup();

        Assert.Null(group);
        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_group_survives_the_editor_unchanged()
    {
        using var manufacturer = Simulator.Swtpm.Manufacturing.ManufacturerCa.Create(new() { EcdsaKeys = true });
        var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(manufacturer.RootDer) + "\n-----END CERTIFICATE-----").ExportCertificatePem();
        var original = new EnrollmentGroup
        {
            TrustedRootsPem = [pem], PcrIndices = [0, 7], AllowedPcrValues = new Dictionary<int, IReadOnlyList<string>> { [7] = [Pcr, new string('b', 64)] },
            CertificateLifetimeSeconds = 86_400, Quota = 5, Enabled = false, IndividualOnly = true,
        };

        var (group, problems) = GroupDraft.From(original).ToGroup();

        Assert.Empty(problems);
        Assert.Equal(original.TrustedRootsPem, group!.TrustedRootsPem);
        Assert.Equal(original.PcrIndices, group.PcrIndices);
        Assert.Equal(original.AllowedPcrValues[7], group.AllowedPcrValues[7]);
        Assert.Equal((86_400L, 5, false, true), (group.CertificateLifetimeSeconds, group.Quota, group.Enabled, group.IndividualOnly));
        var root = TrustedRoot.Read(pem)!;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manufacturer.RootDer)), root.Sha256Fingerprint);
    }

    [Theory]
    [InlineData("plain", "plain\r\n")]
    [InlineData("a,b", "\"a,b\"\r\n")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"\r\n")]
    [InlineData("=cmd()", "'=cmd()\r\n")]
    [InlineData("+1", "'+1\r\n")]
    [InlineData("-1", "'-1\r\n")]
    [InlineData("@x", "'@x\r\n")]
    [InlineData("two\nlines", "\"two\nlines\"\r\n")]
    public void Csv_fields_are_quoted_when_needed_and_never_run_as_formulas(string field, string row) => Assert.Equal(row, Csv.Row(field));
}
