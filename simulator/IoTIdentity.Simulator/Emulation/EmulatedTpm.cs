using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Crypto;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Security;

namespace IoTIdentity.Simulator.Emulation;

/// <summary>
/// An in-process software TPM for load: one virtual device's EK (RSA 2048 or ECC P-256, with its certificate from
/// the simulator's manufacturer) and the AKs and device keys it creates, all held in memory. It implements the
/// semantics of the commands enrolment uses, so the service sees what a swtpm would send:
/// <list type="bullet">
/// <item>CreatePrimary (EK, SRK), Create (a fresh key of the template's type, its public area the template with the
/// real public key as <c>unique</c>), Load (by the private blob, which here is an index into this TPM's key table:
/// a blob made by another TPM does not load), FlushContext;</item>
/// <item>ActivateCredential (Part 1, §24; Part 3, §12.5): the seed recovered with the EK private key — RSA-OAEP with
/// the label "IDENTITY", or ECDH with the ephemeral point and KDFe — then the outer HMAC checked and the credential
/// decrypted by <see cref="CredentialProtection.Unwrap"/>, bound to the AK's Name (TPM_RC_INTEGRITY if not);</item>
/// <item>Quote and Certify: a real TPMS_ATTEST (magic, type, the AK's qualified name, the nonce, clock, firmware
/// version; the PCR digest or the certified key's Name and qualified name) signed by the AK over its bytes;</item>
/// <item>Sign of a digest, and PCR reads: every PCR is zero (a TPM after reset with measured boot off).</item>
/// </list>
/// Flows of one device never overlap (the runner serialises them), but the tables are concurrent anyway.
/// </summary>
public sealed class EmulatedTpm : IEnrollmentTpm, IDisposable
{
    private const uint FirstTransient = 0x8000_0000;
    private const ulong FirmwareVersion = 0x2000_0000_0016_0012;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static readonly byte[] IdentityLabel = "IDENTITY\0"u8.ToArray();
    private static readonly Lazy<Tpm2b<TpmtPublic>> SharedSrk = new(() =>
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return Tpm2b<TpmtPublic>.From(KeyTemplates.SrkEccP256 with { Unique = new TpmEccPublicId(new TpmsEccPoint(q.X!, q.Y!)) });
    });

    private readonly AsymmetricAlgorithm _ek;
    private readonly byte[]? _ekScalar;
    private readonly ConcurrentDictionary<ulong, EmulatedKey> _keys = new();
    private readonly ConcurrentDictionary<uint, Loaded> _loaded = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(AsymmetricAlgorithm Key, TpmuPublicId Unique)>> _prepared = new(StringComparer.Ordinal);
    private long _nextKey;
    private int _nextHandle;

    private EmulatedTpm(AsymmetricAlgorithm ek, Tpm2b<TpmtPublic> ekPublic)
    {
        _ek = ek;
        // an ECC EK's scalar, taken once when the device is made: ActivateCredential multiplies the ephemeral point by it
        _ekScalar = ek is ECDiffieHellman ecdh ? ecdh.ExportParameters(includePrivateParameters: true).D : null;
        EkPublic = ekPublic;
        EkName = TpmNames.Of(ekPublic);
    }

    /// <summary>The EK public area, as CreatePrimary returns it.</summary>
    public Tpm2b<TpmtPublic> EkPublic { get; }

    /// <summary>The EK's Name.</summary>
    public byte[] EkName { get; }

    /// <summary>The EK certificate (DER) the manufacturer issued; set once when the device is made.</summary>
    public byte[]? EkCertificate { get; set; }

    /// <summary>A new TPM with a fresh EK on <paramref name="ekTemplate"/> (a TCG RSA 2048 or ECC P-256 EK template).</summary>
    public static EmulatedTpm Create(TpmtPublic ekTemplate)
    {
        var (key, unique) = NewKey(ekTemplate);
        return new EmulatedTpm(key, Tpm2b<TpmtPublic>.From(ekTemplate with { Unique = unique }));
    }

    /// <summary>
    /// Makes a key pair for each of <paramref name="templates"/> now, for TPM2_Create to hand out later (each once, in
    /// order; a template with none left gets a pair made on the spot). A TPM makes a key when asked; the service sees the
    /// same either way (a fresh key in its public area), and the load generator makes them with the device, before a
    /// measured step, instead of while the service works.
    /// </summary>
    public void PrepareKeys(IEnumerable<TpmtPublic> templates)
    {
        foreach (var template in templates) _prepared.GetOrAdd(KindOf(template), _ => new()).Enqueue(NewKey(template));
    }

    /// <summary>Key pairs made by <see cref="PrepareKeys"/> and not yet handed out.</summary>
    public int PreparedKeys => _prepared.Values.Sum(q => q.Count);

    /// <inheritdoc/>
    public Task<byte[]?> ReadEkCertificateAsync(uint nvIndex, CancellationToken cancellationToken) => Task.FromResult(EkCertificate);

    /// <inheritdoc/>
    public Task<IReadOnlyList<byte[]>> ReadEkCertificateChainAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<byte[]>>([]);

    /// <inheritdoc/>
    public Task<LoadedKey> CreateEkAsync(TpmtPublic template, CancellationToken cancellationToken)
    {
        // the primary seed and the template decide the EK; this TPM has one EK of one type (the template's unique is the device's)
        var ek = EkPublic.Value;
        if (template.Type != ek.Type || template.NameAlg != ek.NameAlg || template.Attributes != ek.Attributes)
            throw new TpmException((uint)TpmRc.Value, TpmCc.CreatePrimary);
        return Task.FromResult(Load(new EmulatedKey(_ek, EkPublic, EkName, EkName, IsEk: true)));
    }

    /// <inheritdoc/>
    public Task<LoadedKey> CreateSrkAsync(TpmtPublic template, CancellationToken cancellationToken)
    {
        var srk = SharedSrk.Value;
        var name = TpmNames.Of(srk);
        // QN(SRK) = H(QN(owner) || Name(SRK)), QN(owner) = its handle (Part 1, §16)
        return Task.FromResult(Load(new EmulatedKey(null, srk, name, Qualify(TpmNames.OfHandle(TpmHandles.Owner), name, srk.Value.NameAlg), IsEk: false)));
    }

    /// <inheritdoc/>
    public Task<TpmKeyBlobs> CreateAsync(uint parent, TpmtPublic template, CancellationToken cancellationToken)
    {
        var parentKey = Get(parent, TpmCc.Create);
        var (key, unique) = _prepared.TryGetValue(KindOf(template), out var prepared) && prepared.TryDequeue(out var made) ? made : NewKey(template);
        var publicArea = Tpm2b<TpmtPublic>.From(template with { Unique = unique });
        var name = TpmNames.Of(publicArea);
        var id = (ulong)Interlocked.Increment(ref _nextKey);
        _keys[id] = new EmulatedKey(key, publicArea, name, Qualify(parentKey.QualifiedName, name, template.NameAlg), IsEk: false);
        var blob = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(blob, id);
        return Task.FromResult(new TpmKeyBlobs(publicArea, new Tpm2bPrivate(blob)));
    }

    /// <inheritdoc/>
    public Task<LoadedKey> LoadAsync(uint parent, TpmKeyBlobs blobs, CancellationToken cancellationToken)
    {
        Get(parent, TpmCc.Load);
        if (blobs.Private.Buffer.Length != 8 || !_keys.TryGetValue(BinaryPrimitives.ReadUInt64BigEndian(blobs.Private.Buffer), out var key)
            || !key.Public.Raw.AsSpan().SequenceEqual(blobs.Public.Raw))
            throw new TpmException((uint)TpmRc.Integrity, TpmCc.Load);
        return Task.FromResult(Load(key) with { Private = blobs.Private });
    }

    /// <inheritdoc/>
    public Task<byte[]> ActivateCredentialAsync(LoadedKey ak, LoadedKey ek, Tpm2bIdObject credentialBlob, Tpm2bEncryptedSecret secret, CancellationToken cancellationToken)
    {
        var activate = Get(ak.Handle, TpmCc.ActivateCredential);
        var protector = Get(ek.Handle, TpmCc.ActivateCredential);
        if (!protector.IsEk) throw new TpmException((uint)TpmRc.Attributes, TpmCc.ActivateCredential);
        var ekPublic = protector.Public.Value;
        var nameAlg = TpmHash.Name(ekPublic.NameAlg);
        var seed = protector.Key switch
        {
            RSA rsa => RsaSeed(rsa, nameAlg, secret.Secret),
            ECDiffieHellman => EccSeed(_ekScalar!, ekPublic, nameAlg, secret.Secret),
            _ => null,
        } ?? throw new TpmException((uint)TpmRc.Value, TpmCc.ActivateCredential);
        try
        {
            var symmetricBits = ekPublic.Parameters switch { TpmsRsaParms r => r.Symmetric.KeyBits, TpmsEccParms e => e.Symmetric.KeyBits, _ => 0 };
            return Task.FromResult(CredentialProtection.Unwrap(nameAlg, symmetricBits, seed, activate.Name, TpmMarshal.ToBytes(credentialBlob))
                ?? throw new TpmException((uint)TpmRc.Integrity, TpmCc.ActivateCredential));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <inheritdoc/>
    public Task<AttestResponse> QuoteAsync(LoadedKey ak, byte[] nonce, TpmlPcrSelection selection, CancellationToken cancellationToken)
    {
        var signer = Get(ak.Handle, TpmCc.Quote);
        var values = Pcrs(selection);
        var digest = TpmHash.Hash(SigningHash(signer), values.SelectMany(v => v.Digest).ToArray());
        return Task.FromResult(Attest(signer, nonce, new TpmsQuoteInfo(selection, digest)));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PcrValue>> ReadPcrsAsync(TpmlPcrSelection selection, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PcrValue>>(Pcrs(selection));

    /// <inheritdoc/>
    public Task<AttestResponse> CertifyAsync(LoadedKey key, LoadedKey ak, byte[] nonce, CancellationToken cancellationToken)
    {
        var certified = Get(key.Handle, TpmCc.Certify);
        var signer = Get(ak.Handle, TpmCc.Certify);
        return Task.FromResult(Attest(signer, nonce, new TpmsCertifyInfo(certified.Name, certified.QualifiedName)));
    }

    /// <inheritdoc/>
    public Task<TpmtSignature> SignDigestAsync(LoadedKey key, byte[] digest, TpmAlgId hash, CancellationToken cancellationToken)
    {
        var signer = Get(key.Handle, TpmCc.Sign);
        if ((signer.Public.Value.Attributes & TpmaObject.Restricted) != 0) throw new TpmException((uint)TpmRc.Attributes, TpmCc.Sign);
        return Task.FromResult(SignHash(signer.Key!, digest, hash));
    }

    /// <inheritdoc/>
    public Task FlushAsync(uint handle, CancellationToken cancellationToken) =>
        _loaded.TryRemove(handle, out _) ? Task.CompletedTask : throw new TpmException((uint)TpmRc.Handle, TpmCc.FlushContext);

    /// <summary>
    /// <paramref name="certificate"/> (DER) with the private key of <paramref name="deviceKey"/>, a key this TPM
    /// created: what a device's TLS stack presents through the TPM (the tpm2 provider signs the handshake with the
    /// resident key), done in process, so an emulated device can open an authenticated session. Null when this TPM
    /// holds no such key or the certificate is not for it.
    /// </summary>
    public X509Certificate2? ClientCertificate(TpmKeyBlobs deviceKey, byte[] certificate)
    {
        if (deviceKey.Private.Buffer.Length != 8 || !_keys.TryGetValue(BinaryPrimitives.ReadUInt64BigEndian(deviceKey.Private.Buffer), out var key)
            || !key.Public.Raw.AsSpan().SequenceEqual(deviceKey.Public.Raw))
            return null;
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate);
        try
        {
            return key.Key switch
            {
                ECDsa ecdsa => publicOnly.CopyWithPrivateKey(ecdsa),
                RSA rsa => publicOnly.CopyWithPrivateKey(rsa),
                _ => null,
            };
        }
        catch (ArgumentException)
        {
            return null; // the certificate's public key is another key's
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _ek.Dispose();
        if (_ekScalar is not null) CryptographicOperations.ZeroMemory(_ekScalar);
        foreach (var key in _keys.Values) key.Key?.Dispose();
        foreach (var (key, _) in _prepared.Values.SelectMany(q => q)) key.Dispose();
        _keys.Clear();
    }

    private LoadedKey Load(EmulatedKey key)
    {
        var handle = FirstTransient + (uint)(Interlocked.Increment(ref _nextHandle) & 0x00FF_FFFF);
        _loaded[handle] = new Loaded(key);
        return new LoadedKey(handle, key.Public, null, key.Name);
    }

    private EmulatedKey Get(uint handle, TpmCc command) =>
        _loaded.TryGetValue(handle, out var loaded) ? loaded.Key : throw new TpmException((uint)TpmRc.Handle, command);

    /// <summary>Signs as TPM2_Quote / TPM2_Certify do: the AK's scheme over the digest of the marshalled TPMS_ATTEST.</summary>
    private static AttestResponse Attest(EmulatedKey signer, byte[] nonce, TpmuAttest attested)
    {
        if ((signer.Public.Value.Attributes & (TpmaObject.Restricted | TpmaObject.SignEncrypt)) != (TpmaObject.Restricted | TpmaObject.SignEncrypt))
            throw new TpmException((uint)TpmRc.Attributes);
        var clock = new TpmsClockInfo((ulong)Clock.ElapsedMilliseconds, 1, 0, Safe: true);
        var attest = Tpm2b<TpmsAttest>.From(new TpmsAttest(TpmConstants.Generated, signer.QualifiedName, nonce, clock, FirmwareVersion, attested));
        var hash = SigningHash(signer);
        return new AttestResponse(attest, SignHash(signer.Key!, TpmHash.Hash(hash, attest.Raw), hash));
    }

    private static TpmAlgId SigningHash(EmulatedKey key) => key.Public.Value.Parameters switch
    {
        TpmsRsaParms { Scheme.Scheme: not TpmAlgId.Null } rsa => rsa.Scheme.Hash,
        TpmsEccParms { Scheme.Scheme: not TpmAlgId.Null } ecc => ecc.Scheme.Hash,
        _ => TpmAlgId.Sha256,
    };

    private static TpmtSignature SignHash(AsymmetricAlgorithm key, byte[] digest, TpmAlgId hash) => key switch
    {
        RSA rsa => new TpmsSignatureRsa(TpmAlgId.RsaSsa, hash, rsa.SignHash(digest, TpmHash.Name(hash), RSASignaturePadding.Pkcs1)),
        ECDsa ecdsa => SplitEcdsa(ecdsa.SignHash(digest), hash),
        _ => throw new TpmException((uint)TpmRc.Key, TpmCc.Sign),
    };

    private static TpmsSignatureEcc SplitEcdsa(byte[] rs, TpmAlgId hash) => new(TpmAlgId.EcDsa, hash, rs[..(rs.Length / 2)], rs[(rs.Length / 2)..]);

    private static List<PcrValue> Pcrs(TpmlPcrSelection selection) =>
        [.. selection.Pairs.Select(p => new PcrValue(p.Hash, p.Pcr, new byte[TpmHash.DigestSize(p.Hash)]))];

    /// <summary>QN(child) = nameAlg || H_nameAlg(QN(parent) || Name(child)) — Part 1, §16.</summary>
    private static byte[] Qualify(byte[] parentQualifiedName, byte[] name, TpmAlgId nameAlg) =>
        TpmNames.Compute(nameAlg, [.. parentQualifiedName, .. name]);

    /// <summary>Which kind of pair <see cref="NewKey"/> makes for a template: the same kind serves any template of it.</summary>
    private static string KindOf(TpmtPublic template) => template.Parameters switch
    {
        TpmsRsaParms rsa => $"rsa-{rsa.KeyBits}",
        TpmsEccParms ecc => $"ecc-{ecc.Curve}-{((template.Attributes & TpmaObject.Decrypt) != 0 ? "ecdh" : "ecdsa")}",
        _ => "unsupported",
    };

    /// <summary>A fresh key pair for a template (RSA 2048 or NIST P-256) and the public area's <c>unique</c> for it.</summary>
    private static (AsymmetricAlgorithm Key, TpmuPublicId Unique) NewKey(TpmtPublic template)
    {
        switch (template.Parameters)
        {
            case TpmsRsaParms { KeyBits: 2048 }:
                var rsa = RSA.Create(2048);
                return (rsa, new TpmRsaPublicId(rsa.ExportParameters(false).Modulus!));
            case TpmsEccParms { Curve: TpmEccCurve.NistP256 }:
                // a decryption key (EK) needs ECDH, a signing key ECDSA; .NET keeps the two apart
                AsymmetricAlgorithm ecc = (template.Attributes & TpmaObject.Decrypt) != 0
                    ? ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256)
                    : ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var q = ecc is ECDiffieHellman dh ? dh.ExportParameters(false).Q : ((ECDsa)ecc).ExportParameters(false).Q;
                return (ecc, new TpmEccPublicId(new TpmsEccPoint(q.X!, q.Y!)));
            default:
                throw new TpmException((uint)TpmRc.Value, TpmCc.Create);
        }
    }

    /// <summary>The seed of an RSA EK: RSA-OAEP decryption, nameAlg for OAEP and MGF1, label "IDENTITY\0".</summary>
    private static byte[]? RsaSeed(RSA ek, HashAlgorithmName nameAlg, byte[] encrypted)
    {
        if (nameAlg != HashAlgorithmName.SHA256) return null;
        var oaep = new OaepEncoding(new RsaEngine(), new Sha256Digest(), new Sha256Digest(), IdentityLabel);
        oaep.Init(false, DotNetUtilities.GetRsaKeyPair(ek.ExportParameters(true)).Private);
        try
        {
            return oaep.ProcessBlock(encrypted, 0, encrypted.Length);
        }
        catch (Org.BouncyCastle.Crypto.InvalidCipherTextException)
        {
            return null;
        }
    }

    /// <summary>The seed of an ECC EK: Z = x(d_EK · Q_ephemeral), seed = KDFe(nameAlg, Z, "IDENTITY", Q.x, EK.x); null if Q is not on the curve.</summary>
    private static byte[]? EccSeed(byte[] ekScalar, TpmtPublic ekPublic, HashAlgorithmName nameAlg, byte[] encrypted)
    {
        var point = TpmMarshal.FromBytes<TpmsEccPoint>(encrypted);
        return EccSeedEncryption.Recover(nameAlg, ECCurve.NamedCurves.nistP256, ekScalar, ((TpmEccPublicId)ekPublic.Unique).Point.X, point.X, point.Y);
    }

    /// <summary>A key this TPM holds: its pair (none for the SRK, whose only use here is as a parent), public area, Name and qualified name.</summary>
    private sealed record EmulatedKey(AsymmetricAlgorithm? Key, Tpm2b<TpmtPublic> Public, byte[] Name, byte[] QualifiedName, bool IsEk);

    private sealed record Loaded(EmulatedKey Key);
}
