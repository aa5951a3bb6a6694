using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Keys;

/// <summary>A key loaded in the TPM: its transient handle, public area (as the TPM returned it), private blob and Name.</summary>
public sealed record LoadedKey(uint Handle, Tpm2b<TpmtPublic> Public, Tpm2bPrivate? Private, byte[] Name);

/// <summary>Creating and loading the keys a device uses (SRK, AK, device key), and signing with them.</summary>
public static class TpmKeyExtensions
{
    /// <summary>Creates (re-derives) the storage root key in the owner hierarchy.</summary>
    public static async Task<LoadedKey> CreateSrkAsync(this TpmClient tpm, TpmtPublic? template = null, CancellationToken cancellationToken = default)
    {
        var response = await tpm.ExecuteAsync(new CreatePrimary(TpmHandles.Owner, template ?? KeyTemplates.SrkEccP256), [PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
        return new LoadedKey(response.ObjectHandle, response.OutPublic, null, response.Name);
    }

    /// <summary>Creates a key under <paramref name="parent"/> and loads it. Keep <see cref="LoadedKey.Private"/> to load it again later.</summary>
    public static async Task<LoadedKey> CreateKeyAsync(this TpmClient tpm, uint parent, TpmtPublic template, CancellationToken cancellationToken = default)
    {
        var created = await tpm.ExecuteAsync(new Create(parent, template), [PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
        return await tpm.LoadKeyAsync(parent, created.OutPrivate, created.OutPublic, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads a key from its blobs under <paramref name="parent"/>.</summary>
    public static async Task<LoadedKey> LoadKeyAsync(this TpmClient tpm, uint parent, Tpm2bPrivate privateBlob, Tpm2b<TpmtPublic> publicArea, CancellationToken cancellationToken = default)
    {
        var loaded = await tpm.ExecuteAsync(new Load(parent, privateBlob, publicArea), [PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
        return new LoadedKey(loaded.ObjectHandle, publicArea, privateBlob, loaded.Name);
    }

    /// <summary>
    /// Signs a SHA-256 digest with an unrestricted key: RSASSA-PKCS1-v1_5 for RSA, ECDSA for ECC (unless the key
    /// fixes its own scheme).
    /// </summary>
    public static Task<TpmtSignature> SignDigestAsync(this TpmClient tpm, LoadedKey key, byte[] digest, TpmAlgId hash = TpmAlgId.Sha256, CancellationToken cancellationToken = default)
    {
        var scheme = key.Public.Value.Parameters switch
        {
            TpmsRsaParms { Scheme.Scheme: not TpmAlgId.Null } rsa => rsa.Scheme,
            TpmsEccParms { Scheme.Scheme: not TpmAlgId.Null } ecc => ecc.Scheme,
            TpmsRsaParms => new TpmtScheme(TpmAlgId.RsaSsa, hash),
            _ => new TpmtScheme(TpmAlgId.EcDsa, hash),
        };
        return tpm.ExecuteAsync(new Sign(key.Handle, digest, scheme, TpmtTicket.NullHashCheck), [PasswordSession.Empty], cancellationToken);
    }

    /// <summary>Quotes <paramref name="selection"/> with the AK, <paramref name="nonce"/> as qualifying data.</summary>
    public static Task<AttestResponse> QuoteAsync(this TpmClient tpm, LoadedKey ak, byte[] nonce, TpmlPcrSelection selection, CancellationToken cancellationToken = default) =>
        tpm.ExecuteAsync(new Quote(ak.Handle, nonce, TpmtScheme.Null, selection), [PasswordSession.Empty], cancellationToken);

    /// <summary>Certifies <paramref name="key"/> with the AK, <paramref name="nonce"/> as qualifying data.</summary>
    public static Task<AttestResponse> CertifyAsync(this TpmClient tpm, LoadedKey key, LoadedKey ak, byte[] nonce, CancellationToken cancellationToken = default) =>
        tpm.ExecuteAsync(new Certify(key.Handle, ak.Handle, nonce, TpmtScheme.Null), [PasswordSession.Empty, PasswordSession.Empty], cancellationToken);
}
