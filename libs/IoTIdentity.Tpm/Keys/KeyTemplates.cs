using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Keys;

/// <summary>
/// Templates for the keys a device makes: the storage root key (TCG TPM v2.0 Provisioning Guidance, §7.5.1), the
/// attestation key (restricted signing), and the device identity key (unrestricted signing, never exportable).
/// All are fixedTPM|fixedParent|sensitiveDataOrigin: the private part is generated in and never leaves the TPM.
/// </summary>
public static class KeyTemplates
{
    private const TpmaObject Resident = TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin
        | TpmaObject.UserWithAuth | TpmaObject.NoDa;

    /// <summary>The attributes every attestation key must have.</summary>
    public const TpmaObject AkAttributes = Resident | TpmaObject.Restricted | TpmaObject.SignEncrypt;

    /// <summary>The attributes of a device identity key.</summary>
    public const TpmaObject DeviceKeyAttributes = Resident | TpmaObject.SignEncrypt;

    /// <summary>SRK, RSA 2048 (owner hierarchy storage primary).</summary>
    public static TpmtPublic SrkRsa2048 { get; } = new(TpmAlgId.Sha256, Resident | TpmaObject.Restricted | TpmaObject.Decrypt, [],
        new TpmsRsaParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, 2048, 0), new TpmRsaPublicId([]));

    /// <summary>SRK, ECC P-256 (owner hierarchy storage primary); cheaper to derive than RSA.</summary>
    public static TpmtPublic SrkEccP256 { get; } = new(TpmAlgId.Sha256, Resident | TpmaObject.Restricted | TpmaObject.Decrypt, [],
        new TpmsEccParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint([], [])));

    /// <summary>AK, RSA 2048 with RSASSA-SHA256.</summary>
    public static TpmtPublic AkRsa2048 { get; } = new(TpmAlgId.Sha256, AkAttributes, [],
        new TpmsRsaParms(TpmtSymDef.Null, new TpmtScheme(TpmAlgId.RsaSsa, TpmAlgId.Sha256), 2048, 0), new TpmRsaPublicId([]));

    /// <summary>AK, ECC P-256 with ECDSA-SHA256.</summary>
    public static TpmtPublic AkEccP256 { get; } = new(TpmAlgId.Sha256, AkAttributes, [],
        new TpmsEccParms(TpmtSymDef.Null, new TpmtScheme(TpmAlgId.EcDsa, TpmAlgId.Sha256), TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint([], [])));

    /// <summary>Device identity key, ECC P-256, scheme chosen per signature (so TLS stacks may use it).</summary>
    public static TpmtPublic DeviceEccP256 { get; } = new(TpmAlgId.Sha256, DeviceKeyAttributes, [],
        new TpmsEccParms(TpmtSymDef.Null, TpmtScheme.Null, TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint([], [])));

    /// <summary>Device identity key, RSA 2048, scheme chosen per signature.</summary>
    public static TpmtPublic DeviceRsa2048 { get; } = new(TpmAlgId.Sha256, DeviceKeyAttributes, [],
        new TpmsRsaParms(TpmtSymDef.Null, TpmtScheme.Null, 2048, 0), new TpmRsaPublicId([]));
}
