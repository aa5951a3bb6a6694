using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>The enrolment operations on a real TPM (or swtpm): each one the TPM command, or the library's helper for it.</summary>
public sealed class TpmClientEnrollmentTpm(TpmClient tpm) : IEnrollmentTpm
{
    /// <summary>The client the operations go to.</summary>
    public TpmClient Client => tpm;

    /// <inheritdoc/>
    public Task<byte[]?> ReadEkCertificateAsync(uint nvIndex, CancellationToken cancellationToken) =>
        tpm.ReadEkCertificateAsync(nvIndex, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<byte[]>> ReadEkCertificateChainAsync(CancellationToken cancellationToken) =>
        tpm.ReadEkCertificateChainAsync(cancellationToken);

    /// <inheritdoc/>
    public async Task<LoadedKey> CreateEkAsync(TpmtPublic template, CancellationToken cancellationToken)
    {
        var ek = await tpm.CreateEkAsync(template, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new LoadedKey(ek.ObjectHandle, ek.OutPublic, null, ek.Name);
    }

    /// <inheritdoc/>
    public Task<LoadedKey> CreateSrkAsync(TpmtPublic template, CancellationToken cancellationToken) =>
        tpm.CreateSrkAsync(template, cancellationToken);

    /// <inheritdoc/>
    public async Task<TpmKeyBlobs> CreateAsync(uint parent, TpmtPublic template, CancellationToken cancellationToken)
    {
        var created = await tpm.ExecuteAsync(new Create(parent, template), [PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
        return new TpmKeyBlobs(created.OutPublic, created.OutPrivate);
    }

    /// <inheritdoc/>
    public Task<LoadedKey> LoadAsync(uint parent, TpmKeyBlobs blobs, CancellationToken cancellationToken) =>
        tpm.LoadKeyAsync(parent, blobs.Private, blobs.Public, cancellationToken);

    /// <inheritdoc/>
    public Task<byte[]> ActivateCredentialAsync(LoadedKey ak, LoadedKey ek, Tpm2bIdObject credentialBlob, Tpm2bEncryptedSecret secret, CancellationToken cancellationToken) =>
        tpm.ActivateCredentialAsync(ak.Handle, ek.Handle, ek.Public.Value, credentialBlob, secret, cancellationToken);

    /// <inheritdoc/>
    public Task<AttestResponse> QuoteAsync(LoadedKey ak, byte[] nonce, TpmlPcrSelection selection, CancellationToken cancellationToken) =>
        tpm.QuoteAsync(ak, nonce, selection, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<PcrValue>> ReadPcrsAsync(TpmlPcrSelection selection, CancellationToken cancellationToken) =>
        tpm.ReadPcrsAsync(selection, cancellationToken);

    /// <inheritdoc/>
    public Task<AttestResponse> CertifyAsync(LoadedKey key, LoadedKey ak, byte[] nonce, CancellationToken cancellationToken) =>
        tpm.CertifyAsync(key, ak, nonce, cancellationToken);

    /// <inheritdoc/>
    public Task<TpmtSignature> SignDigestAsync(LoadedKey key, byte[] digest, TpmAlgId hash, CancellationToken cancellationToken) =>
        tpm.SignDigestAsync(key, digest, hash, cancellationToken);

    /// <inheritdoc/>
    public Task FlushAsync(uint handle, CancellationToken cancellationToken) => tpm.FlushAsync(handle, cancellationToken);
}
