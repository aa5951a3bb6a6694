using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using MQTTnet.Channel;

namespace IoTIdentity.DeviceAgent.Enrollment.Tls;

/// <summary>
/// MQTTnet's transport for an authenticated session whose key is in a TPM: a TCP connection to the broker, then a TLS
/// 1.3 handshake by <see cref="TpmTlsClient"/> (client certificate <paramref name="certificate"/>, the TPM signing),
/// so MQTTnet speaks MQTT over the decrypted stream. The broker's certificate is checked as
/// <see cref="EnrollmentClient"/> checks it on .NET's TLS: chain to <paramref name="trust"/>'s anchors (or the system
/// store), host name, then <see cref="BrokerTrust.IsTrusted"/>.
/// </summary>
public sealed class TpmTlsStreamProvider(string host, TpmClientCertificate certificate, BrokerTrust trust, bool insecureSkipServerCertificateValidation)
    : IMqttClientStreamProvider
{
    private static readonly DeviceTlsCrypto Crypto = new();

    /// <inheritdoc/>
    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(brokerEndPoint, cancellationToken).ConfigureAwait(false);
            var client = new TpmTlsClient(Crypto, host, certificate, TrustServer, cancellationToken);
            return await TlsClientStream.ConnectAsync(new NetworkStream(socket, ownsSocket: true), client, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool TrustServer(X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        if (insecureSkipServerCertificateValidation) return true;
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (trust.Anchors.Count > 0)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trust.Anchors);
        }
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        var errors = SslPolicyErrors.None;
        if (!chain.Build(leaf)) errors |= SslPolicyErrors.RemoteCertificateChainErrors;
        if (!leaf.MatchesHostname(host)) errors |= SslPolicyErrors.RemoteCertificateNameMismatch;
        return trust.IsTrusted(leaf, chain, errors);
    }
}
