using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Ek;

/// <summary>The device side of the EK: recreate it from its template, read its certificate, activate credentials.</summary>
public static class TpmEkExtensions
{
    /// <summary>Creates (re-derives) the EK from <paramref name="template"/> in the endorsement hierarchy.</summary>
    public static Task<CreatePrimaryResponse> CreateEkAsync(this TpmClient tpm, TpmtPublic template, PasswordSession? endorsementAuth = null, CancellationToken cancellationToken = default) =>
        tpm.ExecuteAsync(new CreatePrimary(TpmHandles.Endorsement, template), [endorsementAuth ?? PasswordSession.Empty], cancellationToken);

    /// <summary>
    /// Reads the DER EK certificate stored at <paramref name="nvIndex"/> (chunked, see
    /// <see cref="TpmNvExtensions.ReadNvAsync"/>), or null when the index is not defined. Some manufacturers pad the
    /// index after the certificate: the result is trimmed to the DER length the certificate declares.
    /// </summary>
    public static async Task<byte[]?> ReadEkCertificateAsync(this TpmClient tpm, uint nvIndex, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        byte[] data;
        try
        {
            data = await tpm.ReadNvAsync(nvIndex, chunkSize, cancellationToken).ConfigureAwait(false);
        }
        catch (TpmException e) when (IsUndefinedHandle(e))
        {
            return null;
        }
        return TrimDer(data);
    }

    /// <summary>
    /// Reads the EK certificate's intermediate CAs (DER) from the chain range <see cref="EkNvIndices.ChainFirst"/>
    /// onwards, stopping at the first undefined index; empty when the TPM stores no chain. Each index may hold several
    /// concatenated certificates; bytes after the last certificate of an index (padding) are ignored.
    /// </summary>
    public static async Task<IReadOnlyList<byte[]>> ReadEkCertificateChainAsync(this TpmClient tpm, CancellationToken cancellationToken = default)
    {
        var certificates = new List<byte[]>();
        for (var index = EkNvIndices.ChainFirst; index <= EkNvIndices.ChainLast; index++)
        {
            byte[] data;
            try
            {
                data = await tpm.ReadNvAsync(index, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (TpmException e) when (IsUndefinedHandle(e))
            {
                break;
            }
            for (var rest = data.AsMemory(); rest.Length > 0 && rest.Span[0] == 0x30;)
            {
                var certificate = TrimDer(rest.ToArray());
                if (certificate.Length == rest.Length && !IsWholeDer(certificate)) break;
                certificates.Add(certificate);
                rest = rest[certificate.Length..];
            }
        }
        return certificates;
    }

    /// <summary>
    /// TPM2_ActivateCredential with the AK (password session, empty auth) and the EK (PolicySecret session for a
    /// low-range EK, empty password for a high-range one, whose template sets userWithAuth). Returns the credential.
    /// </summary>
    public static async Task<byte[]> ActivateCredentialAsync(this TpmClient tpm, uint akHandle, uint ekHandle, TpmtPublic ekPublic,
        Tpm2bIdObject credentialBlob, Tpm2bEncryptedSecret secret, CancellationToken cancellationToken = default)
    {
        var command = new ActivateCredential(akHandle, ekHandle, credentialBlob, secret);
        if (!EkTemplates.NeedsPolicySession(ekPublic))
            return await tpm.ExecuteAsync(command, [PasswordSession.Empty, PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
        var session = await tpm.StartEkPolicySessionAsync(ekPublic.NameAlg, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return await tpm.ExecuteAsync(command, [PasswordSession.Empty, session], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!session.IsClosed) await tpm.FlushAsync(session.Handle, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static bool IsUndefinedHandle(TpmException e) => e.Code == TpmRc.Handle;

    private static bool IsWholeDer(byte[] data) =>
        System.Formats.Asn1.AsnDecoder.TryReadEncodedValue(data, System.Formats.Asn1.AsnEncodingRules.DER, out _, out _, out _, out var consumed)
        && consumed == data.Length;

    private static byte[] TrimDer(byte[] data)
    {
        if (data.Length < 2 || data[0] != 0x30) return data;
        int length, header;
        if (data[1] < 0x80) { length = data[1]; header = 2; }
        else
        {
            var octets = data[1] & 0x7F;
            if (octets is 0 or > 3 || data.Length < 2 + octets) return data;
            length = 0;
            for (var i = 0; i < octets; i++) length = (length << 8) | data[2 + i];
            header = 2 + octets;
        }
        return header + length <= data.Length ? data[..(header + length)] : data;
    }
}
