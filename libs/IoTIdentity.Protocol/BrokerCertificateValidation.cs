using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Protocol;

/// <summary>
/// How an MQTT client decides to trust the TLS certificate of the broker it connects to: a device trusting the
/// service's endpoint, or the service trusting an external broker.
/// </summary>
public static class BrokerCertificateValidation
{
    /// <summary>
    /// The certificate must be present and issued for the host name; with trust anchors, its chain must end in one
    /// of them (the anchors alone are trusted, not the system store); without, the platform's verdict stands.
    /// </summary>
    /// <param name="certificate">The certificate the server presented.</param>
    /// <param name="presented">The chain the platform built from what the server sent (its intermediates are used).</param>
    /// <param name="errors">The platform's verdict.</param>
    /// <param name="anchors">The trust anchors, or an empty collection for the system store.</param>
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
