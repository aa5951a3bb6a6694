using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// One issuing CA of a tenant as anyone may see it: the current one (<see cref="RetiredAt"/> null) or one a rotation
/// retired, kept (for its CRL and for the devices whose certificates it signed) until <see cref="KeptUntil"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record IssuingCaEntry
{
    /// <summary>The CA certificate (DER).</summary>
    [Id(0)] public required byte[] Certificate { get; init; }

    /// <summary>When a rotation replaced it; null for the current issuing CA.</summary>
    [Id(1)] public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>When the last certificate it can have signed expires (its own notAfter): then it is dropped.</summary>
    [Id(2)] public DateTimeOffset? KeptUntil { get; init; }

    /// <summary>The CA certificate's serial number as lowercase hex (its id in <c>/crl/{tenant}/{serial}.crl</c>).</summary>
    public string SerialNumber => SerialOf(Certificate);

    /// <summary>The serial number of the certificate <paramref name="certificateDer"/> as lowercase hex, no leading zero byte.</summary>
    public static string SerialOf(byte[] certificateDer)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        var serial = certificate.SerialNumber.ToLower(CultureInfo.InvariantCulture);
        return serial.Length > 2 && serial.StartsWith("00", StringComparison.Ordinal) ? serial[2..] : serial;
    }
}
