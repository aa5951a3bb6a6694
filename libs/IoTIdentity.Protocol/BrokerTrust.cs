using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Protocol;

/// <summary>
/// <see cref="BrokerCertificateValidation"/> for a client that connects many times to one broker (a load generator,
/// a fleet of simulated devices): the trust anchors are loaded once, and a leaf certificate that passed the full
/// check once is afterwards accepted by comparing its bytes, without building a second chain per connection.
/// </summary>
/// <remarks>
/// The shortcut holds only when the platform's own verdict for this connection is <see cref="SslPolicyErrors.None"/>
/// — so give the anchors to the TLS layer as its custom root trust (<see cref="Anchors"/>), which then checks the
/// chain, its validity period and the host name — and the presented leaf is byte for byte one that passed
/// <see cref="BrokerCertificateValidation.IsTrusted"/> before. Any other leaf, or any platform error, takes the full
/// check. Safe for concurrent use.
/// </remarks>
public sealed class BrokerTrust
{
    private readonly HashSet<byte[]> _validated = new(ByteArrayComparer.Instance);
    private readonly Lock _gate = new();

    /// <summary>Trusts <paramref name="anchors"/> (none: the system store decides, and nothing is remembered).</summary>
    public BrokerTrust(X509Certificate2Collection anchors) => Anchors = anchors;

    /// <summary>The trust anchors, loaded once.</summary>
    public X509Certificate2Collection Anchors { get; }

    /// <summary>How many connections took the full check (for measurements and tests).</summary>
    public int FullChecks { get; private set; }

    /// <summary>Whether to trust the broker's certificate on this connection (see the type's remarks).</summary>
    public bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        var leaf = certificate.GetRawCertData();
        if (errors == SslPolicyErrors.None && Anchors.Count > 0)
            lock (_gate)
                if (_validated.Contains(leaf)) return true;
        lock (_gate) FullChecks++;
        if (!BrokerCertificateValidation.IsTrusted(certificate, presented, errors, Anchors)) return false;
        if (errors == SslPolicyErrors.None && Anchors.Count > 0)
            lock (_gate) _validated.Add(leaf);
        return true;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
