using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>The small pieces every certificate and CRL this library writes shares.</summary>
internal static class X509Building
{
    /// <summary>O=<paramref name="organization"/>, CN=<paramref name="commonName"/> (most significant first),
    /// built from values rather than parsed from a string, so a comma in a tenant id stays a comma.</summary>
    public static X509Name Name(string commonName, string organization) =>
        new(new List<DerObjectIdentifier> { X509Name.O, X509Name.CN }, new List<string> { organization, commonName });

    /// <summary>X.509 times have whole seconds; truncating first makes the returned times equal the encoded ones.</summary>
    public static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value.</summary>
    public static SubjectKeyIdentifier KeyIdentifier(SubjectPublicKeyInfo key) =>
        X509ExtensionUtilities.CreateSubjectKeyIdentifier(key);

    /// <summary>The certificate's own key identifier, or one computed from its key when it has none.</summary>
    public static byte[] KeyIdentifierOf(X509Certificate certificate)
    {
        var extension = certificate.GetExtensionValue(X509Extensions.SubjectKeyIdentifier);
        return extension is not null
            ? SubjectKeyIdentifier.GetInstance(extension.GetOctets()).GetKeyIdentifier()
            : KeyIdentifier(certificate.SubjectPublicKeyInfo).GetKeyIdentifier();
    }

    public static AuthorityKeyIdentifier AuthorityKeyIdentifier(byte[] issuerKeyIdentifier) => new(issuerKeyIdentifier);
}
