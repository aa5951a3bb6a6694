using IoTIdentity.Attestation.Verification;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>Software AKs shared by a test class: RSA key generation is the slow part.</summary>
public sealed class SoftwareKeysFixture : IDisposable
{
    /// <summary>RSA-2048, RSASSA-SHA256, AK attributes (KeyTemplates.AkRsa2048 shape).</summary>
    public SoftwareAttestationKey RsaAk { get; } = SoftwareAttestationKey.CreateRsa();

    /// <summary>ECC P-256, ECDSA-SHA256, AK attributes (KeyTemplates.AkEccP256 shape).</summary>
    public SoftwareAttestationKey EccAk { get; } = SoftwareAttestationKey.CreateEcc();

    /// <summary>Another RSA AK: same shape, different key.</summary>
    public SoftwareAttestationKey OtherRsaAk { get; } = SoftwareAttestationKey.CreateRsa();

    /// <summary>Another ECC AK: same shape, different key.</summary>
    public SoftwareAttestationKey OtherEccAk { get; } = SoftwareAttestationKey.CreateEcc();

    /// <summary>An RSA-2048 device identity key (KeyTemplates.DeviceRsa2048 shape).</summary>
    public SoftwareAttestationKey RsaDeviceKey { get; } = SoftwareAttestationKey.CreateRsa(KeyTemplates.DeviceKeyAttributes, TpmtScheme.Null);

    public SoftwareAttestationKey Ak(string kind) => kind switch
    {
        "rsa" => RsaAk,
        "ecc" => EccAk,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public SoftwareAttestationKey OtherAk(string kind) => kind == "rsa" ? OtherRsaAk : OtherEccAk;

    public void Dispose()
    {
        RsaAk.Dispose();
        EccAk.Dispose();
        OtherRsaAk.Dispose();
        OtherEccAk.Dispose();
        RsaDeviceKey.Dispose();
    }
}

internal static class Refusal
{
    /// <summary>Runs <paramref name="verify"/>, which must throw <see cref="VerificationException"/>; returns its reason.</summary>
    public static AttestationFailure Of(Action verify) => Assert.Throws<VerificationException>(verify).Failure;

    public static byte[] Filled(int size, byte value) => Enumerable.Repeat(value, size).ToArray();
}
