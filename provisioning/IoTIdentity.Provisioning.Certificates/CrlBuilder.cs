using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Builds the issuing CA's CRL (RFC 5280 §5, version 2): BouncyCastle encodes it, the issuing CA's .NET key signs it.
/// </summary>
public sealed class CrlBuilder
{
    private readonly TimeProvider _clock;

    /// <summary>Creates the builder.</summary>
    /// <param name="clock">Sets thisUpdate and nextUpdate.</param>
    public CrlBuilder(TimeProvider clock)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    /// <summary>
    /// Builds a CRL issued by <paramref name="ca"/>: thisUpdate now, nextUpdate now + <paramref name="validity"/>, one
    /// entry per revoked certificate (serial, revocation date, and a reasonCode extension unless the reason is
    /// <see cref="CrlReason.Unspecified"/>), and the cRLNumber and authorityKeyIdentifier extensions.
    /// </summary>
    /// <param name="ca">The issuing CA that issued the revoked certificates.</param>
    /// <param name="revoked">The revoked certificates that have not yet expired; serials must be distinct.</param>
    /// <param name="crlNumber">A number that increases with every CRL this CA publishes (not negative).</param>
    /// <param name="validity">How long until nextUpdate; positive.</param>
    /// <returns>The CRL, DER.</returns>
    public byte[] Build(IssuingCa ca, IEnumerable<RevokedCertificate> revoked, long crlNumber, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(revoked);
        ArgumentOutOfRangeException.ThrowIfNegative(crlNumber);
        if (validity <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(validity), "The CRL validity must be positive.");

        var now = X509Building.WholeSeconds(_clock.GetUtcNow());
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(ca.SubjectName);
        generator.SetThisUpdate(now.UtcDateTime);
        generator.SetNextUpdate((now + validity).UtcDateTime);

        var seen = new HashSet<BigInteger>();
        foreach (var entry in revoked)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(revoked));
            var serial = SerialNumbers.Parse(entry.SerialNumber, nameof(revoked));
            if (!seen.Add(serial)) throw new ArgumentException($"Serial {entry.SerialNumber} is listed twice.", nameof(revoked));
            if (!Enum.IsDefined(entry.Reason)) throw new ArgumentException($"{entry.Reason} is not a CRL reason.", nameof(revoked));
            var revokedAt = X509Building.WholeSeconds(entry.RevokedAt).UtcDateTime;
            if (entry.Reason == CrlReason.Unspecified)
                generator.AddCrlEntry(serial, revokedAt, extensions: null); // no empty crlEntryExtensions: SIZE (1..MAX)
            else
                generator.AddCrlEntry(serial, revokedAt, (int)entry.Reason);
        }

        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.ValueOf(crlNumber)));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509Building.AuthorityKeyIdentifier(ca.KeyIdentifier));
        return generator.Generate(ca.SignatureFactory).GetEncoded();
    }
}
