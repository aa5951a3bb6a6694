using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// The TPM operations enrolment needs, at the level <see cref="TpmEnrollment"/> uses them. A real TPM (or swtpm)
/// sits behind <see cref="TpmClientEnrollmentTpm"/>; the simulator's in-process emulator implements the same
/// semantics for load, so the protocol code path is the same for both.
/// </summary>
public interface IEnrollmentTpm
{
    /// <summary>The EK certificate stored at an NV index, or null when the index is not defined.</summary>
    Task<byte[]?> ReadEkCertificateAsync(uint nvIndex, CancellationToken cancellationToken);

    /// <summary>The EK certificate's intermediates from the TCG chain NV indices (empty when there are none).</summary>
    Task<IReadOnlyList<byte[]>> ReadEkCertificateChainAsync(CancellationToken cancellationToken);

    /// <summary>TPM2_CreatePrimary in the endorsement hierarchy: the EK, loaded.</summary>
    Task<LoadedKey> CreateEkAsync(TpmtPublic template, CancellationToken cancellationToken);

    /// <summary>TPM2_CreatePrimary in the owner hierarchy: the SRK, loaded.</summary>
    Task<LoadedKey> CreateSrkAsync(TpmtPublic template, CancellationToken cancellationToken);

    /// <summary>TPM2_Create under <paramref name="parent"/>: the new key's blobs (not loaded).</summary>
    Task<TpmKeyBlobs> CreateAsync(uint parent, TpmtPublic template, CancellationToken cancellationToken);

    /// <summary>TPM2_Load of a key's blobs under <paramref name="parent"/>.</summary>
    Task<LoadedKey> LoadAsync(uint parent, TpmKeyBlobs blobs, CancellationToken cancellationToken);

    /// <summary>TPM2_ActivateCredential: recovers the credential bound to <paramref name="ak"/>'s Name and protected to <paramref name="ek"/>.</summary>
    Task<byte[]> ActivateCredentialAsync(LoadedKey ak, LoadedKey ek, Tpm2bIdObject credentialBlob, Tpm2bEncryptedSecret secret, CancellationToken cancellationToken);

    /// <summary>TPM2_Quote of <paramref name="selection"/> with the AK, <paramref name="nonce"/> as qualifying data.</summary>
    Task<AttestResponse> QuoteAsync(LoadedKey ak, byte[] nonce, TpmlPcrSelection selection, CancellationToken cancellationToken);

    /// <summary>The values of every PCR of <paramref name="selection"/>, in selection order.</summary>
    Task<IReadOnlyList<PcrValue>> ReadPcrsAsync(TpmlPcrSelection selection, CancellationToken cancellationToken);

    /// <summary>TPM2_Certify of <paramref name="key"/> by the AK, <paramref name="nonce"/> as qualifying data.</summary>
    Task<AttestResponse> CertifyAsync(LoadedKey key, LoadedKey ak, byte[] nonce, CancellationToken cancellationToken);

    /// <summary>TPM2_Sign of a digest with an unrestricted key (its own scheme, else RSASSA or ECDSA).</summary>
    Task<TpmtSignature> SignDigestAsync(LoadedKey key, byte[] digest, TpmAlgId hash, CancellationToken cancellationToken);

    /// <summary>TPM2_FlushContext of a transient object.</summary>
    Task FlushAsync(uint handle, CancellationToken cancellationToken);
}
