using System.Security.Cryptography;
using IoTIdentity.Protocol;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Issues device certificates: BouncyCastle builds the certificate, the issuing CA's .NET key signs it
/// (see <see cref="IssuingCa"/>). Stateless apart from the injected clock and generator; safe to share.
/// </summary>
public sealed class DeviceCertificateIssuer
{
    /// <summary>The URI SAN prefix; the deviceId follows it: <c>urn:iotidentity:device:{deviceId}</c>.</summary>
    public const string DeviceUriPrefix = "urn:iotidentity:device:";

    private readonly TimeProvider _clock;
    private readonly RandomNumberGenerator _random;

    /// <summary>Creates the issuer.</summary>
    /// <param name="clock">Sets notBefore and notAfter.</param>
    /// <param name="random">Draws the serial numbers.</param>
    public DeviceCertificateIssuer(TimeProvider clock, RandomNumberGenerator random)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _random = random ?? throw new ArgumentNullException(nameof(random));
    }

    /// <summary>
    /// Issues a certificate for the device key in <paramref name="request"/>, signed by <paramref name="ca"/>:
    /// <list type="bullet">
    /// <item>serial: 16 random octets, positive (see <see cref="IssuedCertificate.SerialNumber"/>);</item>
    /// <item>subject O=tenantId, CN=deviceId; issuer the issuing CA's subject;</item>
    /// <item>validity now − <see cref="DeviceCertificateRequest.NotBeforeSkew"/> to now +
    /// <see cref="DeviceCertificateRequest.Lifetime"/>, clamped to the issuing CA's notAfter;</item>
    /// <item>basicConstraints cA=FALSE (critical); keyUsage digitalSignature (critical); extKeyUsage clientAuth;</item>
    /// <item>subjectAltName: URI <c>urn:iotidentity:device:{deviceId}</c> and otherName hardwareModuleName (RFC 4108);</item>
    /// <item>subjectKeyIdentifier (SHA-1 of the key, RFC 5280 method 1), authorityKeyIdentifier, cRLDistributionPoints.</item>
    /// </list>
    /// </summary>
    /// <param name="ca">The tenant's loaded issuing CA.</param>
    /// <param name="request">The device, its key and its TPM.</param>
    /// <exception cref="ArgumentException">The request is invalid: another tenant, a bad deviceId, an unsupported or
    /// malformed key, a non-positive lifetime, a negative skew, a CRL URL that is not absolute http(s), or a CA that has expired.</exception>
    public IssuedCertificate Issue(IssuingCa ca, DeviceCertificateRequest request)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(request);
        var spki = Validate(ca, request);

        var now = X509Building.WholeSeconds(_clock.GetUtcNow());
        var notBefore = now - request.NotBeforeSkew;
        var notAfter = now + request.Lifetime;
        if (notAfter > ca.NotAfter) notAfter = ca.NotAfter;
        if (notAfter <= now)
            throw new ArgumentException($"The issuing CA of tenant '{ca.TenantId}' expired at {ca.NotAfter:O}.", nameof(ca));
        var (serial, serialHex) = SerialNumbers.Next(_random);

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(serial);
        generator.SetIssuerDN(ca.SubjectName);
        generator.SetSubjectDN(X509Building.Name(request.DeviceId, request.TenantId));
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetSubjectPublicKeyInfo(spki);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth));
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, SubjectAlternativeName(request));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509Building.KeyIdentifier(spki));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509Building.AuthorityKeyIdentifier(ca.KeyIdentifier));
        generator.AddExtension(X509Extensions.CrlDistributionPoints, false, CrlDistributionPoint(request.CrlDistributionPoint));
        var certificate = generator.Generate(ca.SignatureFactory);

        return new IssuedCertificate(certificate.GetEncoded(), serialHex, notBefore, notAfter);
    }

    private static SubjectPublicKeyInfo Validate(IssuingCa ca, DeviceCertificateRequest request)
    {
        if (request.TenantId != ca.TenantId)
            throw new ArgumentException($"The request is for tenant '{request.TenantId}', the CA is tenant '{ca.TenantId}'s.", nameof(request));
        if (!DeviceIds.IsValid(request.DeviceId))
            throw new ArgumentException("A deviceId is 1–64 lowercase hex digits.", nameof(request));
        if (request.Lifetime <= TimeSpan.Zero || request.NotBeforeSkew < TimeSpan.Zero)
            throw new ArgumentException("The lifetime must be positive and the notBefore skew not negative.", nameof(request));
        var crl = request.CrlDistributionPoint;
        if (crl is null || !crl.IsAbsoluteUri || (crl.Scheme != Uri.UriSchemeHttp && crl.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("The CRL distribution point must be an absolute http or https URL.", nameof(request));
        var module = request.HardwareModule ?? throw new ArgumentException("The hardware module is missing.", nameof(request));
        if (module.SerialNumber is not { Length: > 0 } || !IsObjectIdentifier(module.HardwareType))
            throw new ArgumentException("The hardware module needs an OID type and a serial number.", nameof(request));

        if (SubjectPublicKeys.TryCanonicalize(request.SubjectPublicKeyInfo ?? [], out var key) is { } p)
            throw new ArgumentException($"The device key is {(p.Malformed ? "malformed" : "unsupported")}: {p.Reason}.", nameof(request));
        return SubjectPublicKeyInfo.GetInstance(key.Spki);
    }

    private static GeneralNames SubjectAlternativeName(DeviceCertificateRequest request)
    {
        var hardwareModuleName = new DerSequence(
            new DerObjectIdentifier(request.HardwareModule.HardwareType),
            new DerOctetString(request.HardwareModule.SerialNumber));
        return new GeneralNames(
        [
            new GeneralName(GeneralName.UniformResourceIdentifier, DeviceUriPrefix + request.DeviceId),
            new GeneralName(GeneralName.OtherName,
                new OtherName(new DerObjectIdentifier(HardwareModuleName.OtherNameOid), hardwareModuleName)),
        ]);
    }

    private static CrlDistPoint CrlDistributionPoint(Uri url) =>
        new([
            new DistributionPoint(
                new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, url.AbsoluteUri))),
                null, null),
        ]);

    private static bool IsObjectIdentifier(string? oid) => oid is not null && DerObjectIdentifier.TryFromID(oid, out _);
}
