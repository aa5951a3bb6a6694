using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// The device id an EK certificate's key gives a TPM that creates its EK from the TCG default template the agent uses
/// for that key type: RSA 2048 → L-1, ECC P-256 → L-2, ECC P-384 → H-3 (<see cref="EkTemplates"/>). The id is the
/// SHA-256 of that template filled with the key, exactly as the TPM returns it (<see cref="EkIdentity"/>).
/// </summary>
public static class EkCertificateDeviceId
{
    /// <summary>The device id, or null and <paramref name="problem"/> saying why the certificate's key is not an EK key a device can have.</summary>
    public static string? Of(X509Certificate2 certificate, out string problem)
    {
        var id = Derive(certificate);
        problem = id.Refusal?.Detail ?? "";
        return id.Value;
    }

    private static Checked<string> Derive(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            var p = rsa.ExportParameters(includePrivateParameters: false);
            if (p.Modulus is not { Length: 256 }) return new Refusal(ProvisioningError.MalformedRequest, $"the EK certificate's RSA key is {rsa.KeySize} bits, not 2048");
            if (p.Exponent is null || !p.Exponent.AsSpan().SequenceEqual(new byte[] { 1, 0, 1 }))
                return new Refusal(ProvisioningError.MalformedRequest, "the EK certificate's RSA exponent is not 65537");
            return Id(EkTemplates.Rsa2048 with { Unique = new TpmRsaPublicId(p.Modulus) });
        }
        // an ECC EK is a key-agreement key: its certificate may name it id-ecPublicKey or id-ecDH
        using ECAlgorithm? ecc = certificate.GetECDsaPublicKey() ?? (ECAlgorithm?)certificate.GetECDiffieHellmanPublicKey();
        if (ecc is not null)
        {
            var p = ecc.ExportParameters(includePrivateParameters: false);
            // the platform names a curve by OID or by friendly name; the key size tells P-256 from P-384 among NIST curves
            var nist = p.Curve.Oid.Value is "1.2.840.10045.3.1.7" or "1.3.132.0.34"
                || p.Curve.Oid.FriendlyName is "nistP256" or "nistP384" or "ECDSA_P256" or "ECDSA_P384" or "secp384r1" or "prime256v1";
            var template = !nist ? null : ecc.KeySize switch { 256 => EkTemplates.EccP256, 384 => EkTemplates.EccP384High, _ => null };
            if (template is null) return new Refusal(ProvisioningError.MalformedRequest, $"the EK certificate's curve {p.Curve.Oid.FriendlyName ?? p.Curve.Oid.Value} is not P-256 or P-384");
            return Id(template with { Unique = new TpmEccPublicId(new TpmsEccPoint(p.Q.X!, p.Q.Y!)) });
        }
        return new Refusal(ProvisioningError.MalformedRequest, "the EK certificate's key is neither RSA nor ECC");
    }

    private static Checked<string> Id(TpmtPublic ek) => DeviceIds.FromEkPublic(TpmMarshal.ToBytes(ek));
}
