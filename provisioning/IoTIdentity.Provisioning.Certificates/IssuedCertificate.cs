namespace IoTIdentity.Provisioning.Certificates;

/// <summary>A device certificate as issued, with the facts the device grain records about it.</summary>
/// <param name="Der">The certificate, DER.</param>
/// <param name="SerialNumber">The serial number: 32 lowercase hex digits (16 octets, positive, no leading zero octet),
/// the same digits <c>openssl</c> prints and, upper-cased, .NET's <c>X509Certificate2.SerialNumber</c>.</param>
/// <param name="NotBefore">The certificate's notBefore (whole seconds, UTC).</param>
/// <param name="NotAfter">The certificate's notAfter (whole seconds, UTC).</param>
public sealed record IssuedCertificate(byte[] Der, string SerialNumber, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    /// <summary>The serial and validity; not the DER.</summary>
    public override string ToString() => $"IssuedCertificate({SerialNumber}, {NotBefore:O}–{NotAfter:O})";
}
