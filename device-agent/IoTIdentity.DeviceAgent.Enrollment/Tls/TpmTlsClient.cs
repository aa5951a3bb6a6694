using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertificateRequest = Org.BouncyCastle.Tls.CertificateRequest;
using System.Text;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace IoTIdentity.DeviceAgent.Enrollment.Tls;

/// <summary>
/// The BouncyCastle TLS 1.3 client of an authenticated session whose key is in a TPM: it offers TLS 1.3 only, sends the
/// broker host as SNI, hands the broker's chain to <paramref name="trustServer"/>, and answers the broker's
/// CertificateRequest with <paramref name="certificate"/>'s chain, the <c>CertificateVerify</c> signed by the TPM
/// (ECDSA P-256 / SHA-256 over the TLS 1.3 signed content: 64 spaces, the context string, a zero byte, the transcript hash).
/// </summary>
internal sealed class TpmTlsClient(BcTlsCrypto crypto, string host, TpmClientCertificate certificate,
    Func<X509Certificate2, X509Certificate2Collection, bool> trustServer, CancellationToken cancellationToken) : DefaultTlsClient(crypto)
{
    private static readonly SignatureAndHashAlgorithm EcdsaP256Sha256 = SignatureAndHashAlgorithm.GetInstance(Org.BouncyCastle.Tls.HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    /// <summary>Whether the broker asked for a client certificate and was given the TPM's (false: the session is not authenticated).</summary>
    public bool PresentedCertificate { get; private set; }

    /// <inheritdoc/>
    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv13.Only();

    /// <inheritdoc/>
    protected override IList<ServerName>? GetSniServerNames() =>
        IPAddress.TryParse(host, out _) ? null : [new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(host))];

    /// <inheritdoc/>
    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    private bool TrustServer(X509Certificate2 leaf, X509Certificate2Collection intermediates) => trustServer(leaf, intermediates);

    private IReadOnlyList<byte[]> Chain => certificate.Chain;

    // BouncyCastle's handshake is synchronous: the TPM's asynchronous signature is waited for here, on the thread
    // that runs the handshake (a dedicated one, TlsClientStream), never on a caller's context
    private byte[] Sign(byte[] digest) => certificate.SignHandshake(digest, cancellationToken).GetAwaiter().GetResult();

    private sealed class Authentication(TpmTlsClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var presented = serverCertificate.Certificate;
            if (presented is null || presented.IsEmpty) throw new TlsFatalAlert(AlertDescription.certificate_required);
            using var leaf = X509CertificateLoader.LoadCertificate(presented.GetCertificateAt(0).GetEncoded());
            var intermediates = new X509Certificate2Collection();
            for (var i = 1; i < presented.Length; i++) intermediates.Add(X509CertificateLoader.LoadCertificate(presented.GetCertificateAt(i).GetEncoded()));
            try
            {
                if (!client.TrustServer(leaf, intermediates)) throw new TlsFatalAlert(AlertDescription.bad_certificate, "the broker's certificate is not trusted");
            }
            finally
            {
                foreach (var intermediate in intermediates) intermediate.Dispose();
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest)
        {
            if (certificateRequest.SupportedSignatureAlgorithms is { } offered && !offered.Contains(EcdsaP256Sha256))
                throw new TlsFatalAlert(AlertDescription.handshake_failure, "the broker does not accept ecdsa_secp256r1_sha256 client signatures");
            var entries = client.Chain
                .Select(der => new CertificateEntry(client.Crypto.CreateCertificate(der), null))
                .ToArray();
            client.PresentedCertificate = true;
            return new Signer(client, new Certificate(certificateRequest.GetCertificateRequestContext(), entries));
        }
    }

    /// <summary>The client credential: the chain, and a stream signer that collects the signed content and has the TPM sign its SHA-256.</summary>
    private sealed class Signer(TpmTlsClient client, Certificate chain) : TlsCredentialedSigner
    {
        public Certificate Certificate => chain;

        public SignatureAndHashAlgorithm SignatureAndHashAlgorithm => EcdsaP256Sha256;

        public byte[] GenerateRawSignature(byte[] hash) => client.Sign(hash);

        public TlsStreamSigner GetStreamSigner() => new StreamSigner(client);

        private sealed class StreamSigner(TpmTlsClient client) : TlsStreamSigner
        {
            private readonly MemoryStream _content = new();

            public Stream Stream => _content;

            public byte[] GetSignature() => client.Sign(SHA256.HashData(_content.ToArray()));
        }
    }
}
