using IoTIdentity.Simulator.Swtpm.Manufacturing;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.TestKit;

/// <summary>
/// Many distinct devices from one swtpm: each gets its own EK (the TCG template with its own <c>unique</c> value)
/// and an EK certificate from a test manufacturer CA — the simulator's factory, in small.
/// </summary>
public static class VirtualDevices
{
    /// <summary>
    /// Enrolment options for a fresh EK on <paramref name="tpm"/> certified by <paramref name="manufacturer"/>
    /// (with <paramref name="profile"/>, e.g. an expired certificate).
    /// </summary>
    public static async Task<TpmEnrollmentOptions> ManufactureAsync(TpmClient tpm, ManufacturerCa manufacturer, string kind = "ecc", EkCertificateProfile? profile = null)
    {
        var template = EkTemplates.WithUnique(kind == "rsa" ? EkTemplates.Rsa2048 : EkTemplates.EccP256, RandomNumberGenerator.GetBytes(32));
        var ek = await tpm.CreateEkAsync(template);
        await tpm.FlushAsync(ek.ObjectHandle);
        var certificate = kind == "rsa"
            ? manufacturer.IssueEkCertificate(TpmPublicKeys.RsaParameters(ek.OutPublic.Value), profile)
            : manufacturer.IssueEkCertificate(TpmPublicKeys.EcParameters(ek.OutPublic.Value), profile);
        return new TpmEnrollmentOptions { EkTemplate = template, EkCertificate = certificate, EkIntermediates = manufacturer.IntermediatesDer };
    }

    /// <summary>The EK public area (TPMT_PUBLIC bytes, what a register carries) of <paramref name="options"/>' EK.</summary>
    public static async Task<byte[]> EkPublicAsync(TpmClient tpm, TpmEnrollmentOptions options)
    {
        var ek = await tpm.CreateEkAsync(options.EkTemplate);
        await tpm.FlushAsync(ek.ObjectHandle);
        return ek.OutPublic.Raw;
    }

    /// <summary>
    /// The public area (TPMT_PUBLIC bytes) of a new key of <paramref name="template"/> under the default SRK: a real
    /// TPM key that is not the one a flow certifies or attests with.
    /// </summary>
    public static async Task<byte[]> SpareKeyPublicAsync(TpmClient tpm, TpmtPublic template)
    {
        var srk = await tpm.CreateSrkAsync(KeyTemplates.SrkEccP256);
        try
        {
            var key = await tpm.CreateKeyAsync(srk.Handle, template);
            await tpm.FlushAsync(key.Handle);
            return key.Public.Raw;
        }
        finally
        {
            await tpm.FlushAsync(srk.Handle);
        }
    }
}
