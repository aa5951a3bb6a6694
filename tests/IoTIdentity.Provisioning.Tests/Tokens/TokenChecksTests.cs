using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Tokens;
using Xunit;

namespace IoTIdentity.Provisioning.Tests.Tokens;

/// <summary>Every refusal of a token request's checks, each for its own reason, with a software P-256 key as the device key.</summary>
public sealed class TokenChecksTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 6, 0, 0, TimeSpan.Zero);
    private const string DeviceId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Audience = "https://readings.example";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private DeviceState Device(DeviceStatus status = DeviceStatus.Active, DateTimeOffset? lastProof = null, bool nonCompliant = false, string? firmware = "board 2.1") => new()
    {
        Status = status, TenantId = "acme", GroupId = "default", NonCompliant = nonCompliant, LastTokenProofAt = lastProof,
        Current = new IssuedIdentity
        {
            SerialNumber = "0a1b", CertificateDer = [1, 2, 3], SubjectPublicKeyInfo = _key.ExportSubjectPublicKeyInfo(),
            NotBefore = Now.AddDays(-1), NotAfter = Now.AddDays(1), TenantId = "acme",
        },
        LastAttestation = new AttestationRecord { At = Now.AddHours(-2), Pcrs = ImmutableDictionary<int, string>.Empty, Firmware = firmware },
    };

    private TokenRequest Signed(DateTimeOffset signedAt, string serial = "0a1b", string audience = Audience, ECDsa? by = null) => new()
    {
        Audience = audience, CertificateSerial = serial, SignedAt = signedAt,
        Signature = (by ?? _key).SignData(TokenProofs.SignedBytes(DeviceId, audience, serial, signedAt), HashAlgorithmName.SHA256),
    };

    private static TokenPolicy Policy => new() { Audiences = ImmutableSortedDictionary<string, ImmutableList<string>>.Empty.Add(Audience, ["r"]) };

    public static TheoryData<DeviceStatus, ProvisioningError> Standings => new()
    {
        { DeviceStatus.Revoked, ProvisioningError.Revoked },
        { DeviceStatus.Disabled, ProvisioningError.Disabled },
        { DeviceStatus.Transferring, ProvisioningError.NotEnrolled },
        { DeviceStatus.Challenged, ProvisioningError.NotEnrolled },
        { DeviceStatus.Unknown, ProvisioningError.NotEnrolled },
    };

    [Theory]
    [MemberData(nameof(Standings))]
    public void Only_an_active_device_may_ask(DeviceStatus status, ProvisioningError expected)
    {
        Assert.Equal(expected, TokenChecks.CheckStanding(Device(status))!.Error);
        Assert.Null(TokenChecks.CheckStanding(Device()));
    }

    [Fact]
    public void A_quarantined_device_may_not_ask_until_it_is_released()
    {
        var held = Device() with { Quarantine = new QuarantineRecord { FindingId = "f-1", Since = Now, Actor = "monitoring" } };
        Assert.Equal(ProvisioningError.Disabled, TokenChecks.CheckStanding(held)!.Error);
        Assert.Null(TokenChecks.CheckStanding(held with { Quarantine = null }));
    }

    [Fact]
    public void A_request_signed_by_the_current_key_for_the_current_certificate_now_passes() =>
        Assert.Null(TokenChecks.CheckProof(DeviceId, Signed(Now), Device(), Now));

    [Fact]
    public void A_request_signed_by_another_key_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, Signed(Now, by: other), Device(), Now)!.Error);
    }

    [Fact]
    public void A_request_naming_another_certificate_is_refused() =>
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, Signed(Now, serial: "ffff"), Device(), Now)!.Error);

    [Fact]
    public void A_signature_over_another_audience_does_not_cover_this_one()
    {
        var forOther = Signed(Now, audience: "https://other.example") with { Audience = Audience };
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, forOther, Device(), Now)!.Error);
    }

    [Theory]
    [InlineData(-180)]
    [InlineData(180)]
    public void A_request_signed_too_far_from_now_is_refused(int seconds) =>
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, Signed(Now.AddSeconds(seconds)), Device(), Now)!.Error);

    [Fact]
    public void A_request_signed_no_later_than_the_last_accepted_one_is_a_replay()
    {
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, Signed(Now), Device(lastProof: Now), Now)!.Error);
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, Signed(Now.AddSeconds(-1)), Device(lastProof: Now), Now)!.Error);
        Assert.Null(TokenChecks.CheckProof(DeviceId, Signed(Now.AddMilliseconds(1)), Device(lastProof: Now), Now));
    }

    [Fact]
    public void A_request_when_the_certificate_expired_is_refused() =>
        Assert.Equal(ProvisioningError.TokenProofInvalid, TokenChecks.CheckProof(DeviceId, Signed(Now.AddDays(2)), Device(), Now.AddDays(2))!.Error);

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    public void An_empty_or_unprintable_audience_is_malformed(string audience) =>
        Assert.Equal(ProvisioningError.MalformedRequest, TokenChecks.CheckProof(DeviceId, Signed(Now, audience: audience), Device(), Now)!.Error);

    [Fact]
    public void An_audience_the_policy_does_not_list_or_a_group_without_policy_is_not_allowed()
    {
        Assert.Equal(ProvisioningError.AudienceNotAllowed, TokenChecks.CheckPolicy(Policy, "https://unlisted.example", Device(), Now)!.Error);
        Assert.Equal(ProvisioningError.AudienceNotAllowed, TokenChecks.CheckPolicy(null, Audience, Device(), Now)!.Error);
        Assert.Null(TokenChecks.CheckPolicy(Policy, Audience, Device(), Now));
    }

    [Fact]
    public void Each_condition_of_the_policy_refuses_a_device_that_fails_it()
    {
        Assert.Equal(ProvisioningError.TokenConditionsNotMet,
            TokenChecks.CheckPolicy(Policy with { RequireMeasuredBootCompliant = true }, Audience, Device(nonCompliant: true), Now)!.Error);
        Assert.Null(TokenChecks.CheckPolicy(Policy with { RequireMeasuredBootCompliant = true }, Audience, Device(), Now));
        Assert.Equal(ProvisioningError.TokenConditionsNotMet, TokenChecks.CheckPolicy(Policy with { MinimumFirmwareRelease = "board 2.10" }, Audience, Device(), Now)!.Error);
        Assert.Equal(ProvisioningError.TokenConditionsNotMet, TokenChecks.CheckPolicy(Policy with { MinimumFirmwareRelease = "board 1.0" }, Audience, Device(firmware: null), Now)!.Error);
        Assert.Null(TokenChecks.CheckPolicy(Policy with { MinimumFirmwareRelease = "board 2.1" }, Audience, Device(), Now));
        Assert.Equal(ProvisioningError.TokenConditionsNotMet, TokenChecks.CheckPolicy(Policy with { MaxAttestationAge = TimeSpan.FromHours(1) }, Audience, Device(), Now)!.Error);
        Assert.Null(TokenChecks.CheckPolicy(Policy with { MaxAttestationAge = TimeSpan.FromHours(3) }, Audience, Device(), Now));
    }

    [Theory]
    [InlineData("board 2.1", "board 2.1", true)]
    [InlineData("board 2.10", "board 2.9", true)]
    [InlineData("board 2.9", "board 2.10", false)]
    [InlineData("board 3", "board 2.99.1", true)]
    [InlineData("board 2.1", "other 1.0", false)]
    [InlineData("acme board 1.2", "acme board 1.1", true)]
    [InlineData("board 1.0-rc2", "board 1.0-rc1", true)]
    public void Firmware_releases_of_one_product_compare_by_dotted_version(string release, string minimum, bool atLeast) =>
        Assert.Equal(atLeast, FirmwareReleases.IsAtLeast(release, minimum));

    public void Dispose() => _key.Dispose();
}
