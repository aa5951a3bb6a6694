using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>How a device decides to trust the service's TLS certificate.</summary>
internal static class ServerCertificateValidation
{
    /// <summary>
    /// The certificate must be present and issued for the host name; with trust anchors, its chain must end in one
    /// of them (the anchors alone are trusted, not the system store); without, the platform's verdict stands.
    /// </summary>
    public static bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection anchors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
            return false;
        if (anchors.Count == 0) return errors == SslPolicyErrors.None;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        return chain.Build(leaf);
    }
}
