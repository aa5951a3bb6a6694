using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Certificates.Tests;

/// <summary>Key rings, clocks and tenant CAs shared by the tests (generated once: P-384 key generation is not free).</summary>
internal static class TestAuthorities
{
    /// <summary>Half a second past the minute, so that truncation to whole seconds is visible.</summary>
    public static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, 500, TimeSpan.Zero);

    public const string TenantId = "tenant-a";

    public static readonly Uri CrlUrl = new("http://crl.example.test/tenants/tenant-a/issuing.crl");

    private static readonly Lazy<TenantCaMaterial> SharedMaterial = new(() => Authority(Ring()).Create(TenantId));

    /// <summary>The shared tenant CA, generated at <see cref="Now"/> under <see cref="Ring"/>'s "kek-1".</summary>
    public static TenantCaMaterial Material => SharedMaterial.Value;

    public static FixedTimeProvider Clock(DateTimeOffset? at = null) => new(at ?? Now);

    /// <summary>A 256-bit key whose bytes are <paramref name="fill"/> repeated (fine for tests, never for use).</summary>
    public static KeyEncryptionKey Kek(string id, byte fill = 0x11) =>
        new(id, Enumerable.Repeat(fill, KeyEncryptionKey.KeySizeInBytes).ToArray());

    public static KeyEncryptionKeyRing Ring(string currentId = "kek-1", byte fill = 0x11, params KeyEncryptionKey[] previous) =>
        new(Kek(currentId, fill), previous, RandomNumberGenerator.Create());

    public static TenantCertificateAuthority Authority(KeyEncryptionKeyRing ring, DateTimeOffset? at = null) =>
        new(ring, Clock(at), RandomNumberGenerator.Create());

    public static IssuingCa LoadShared() => IssuingCa.Load(Material, Ring());

    public static DeviceCertificateRequest Request(byte[] spki, string? deviceId = null)
    {
        deviceId ??= Convert.ToHexStringLower(SHA256.HashData(spki));
        return new DeviceCertificateRequest
        {
            SubjectPublicKeyInfo = spki,
            DeviceId = deviceId,
            TenantId = TenantId,
            HardwareModule = HardwareModuleName.ForTpm20Device(deviceId),
            CrlDistributionPoint = CrlUrl,
        };
    }

    /// <summary>Builds <paramref name="leaf"/>'s chain to <paramref name="rootDer"/> only, at <paramref name="at"/>.</summary>
    public static (bool Built, X509ChainStatusFlags Flags, int Length) Chain(byte[] leaf, byte[] rootDer, DateTimeOffset at,
        params byte[][] intermediates)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(leaf);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(rootDer));
        foreach (var der in intermediates) chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(der));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        var built = chain.Build(certificate);
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        return (built, flags, chain.ChainElements.Count);
    }

    /// <summary>The openssl on PATH, or a failed test that says how to install it.</summary>
    public static string OpenSsl() =>
        ProcessRunner.FindOnPath("openssl")
        ?? throw new Xunit.Sdk.XunitException(
            "openssl is not on PATH; this cross-check needs it. Install it: sudo apt-get install -y openssl");
}
