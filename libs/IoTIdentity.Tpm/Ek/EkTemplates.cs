using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Ek;

/// <summary>
/// The default EK templates of the TCG EK Credential Profile for TPM Family 2.0 (§2.2.1.4 low range, templates
/// L-1 and L-2; §2.2.1.5 high range, templates H-1..H-3) and the NV indices of their certificates (§2.2.1.4,
/// §2.2.1.5). CreatePrimary in the endorsement hierarchy with one of these reproduces the EK whose certificate the
/// manufacturer wrote; a different <c>unique</c> value gives a different EK from the same seed.
/// </summary>
public static class EkTemplates
{
    /// <summary>PolicyA, SHA-256: TPM2_PolicySecret(TPM_RH_ENDORSEMENT) (low-range authPolicy).</summary>
    public static readonly byte[] PolicyASha256 = Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");

    /// <summary>PolicyB, SHA-256: PolicyOR(PolicyA, PolicyC) (high-range authPolicy).</summary>
    public static readonly byte[] PolicyBSha256 = Convert.FromHexString("CA3D0A99A2B93906F7A3342414EFCFB3A385D44CD1FD459089D19B5071C0B7A0");

    /// <summary>PolicyB, SHA-384 (high-range authPolicy for SHA-384 templates).</summary>
    public static readonly byte[] PolicyBSha384 = Convert.FromHexString(
        "B26E7D28D11A50BC53D882BCF5FD3A1A074148BB35D3B4E4CB1C0AD9BDE419CACB47BA09699646150F9FC000F3F80E12");

    /// <summary>Low-range attributes: fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt.</summary>
    public const TpmaObject LowRangeAttributes = TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin
        | TpmaObject.AdminWithPolicy | TpmaObject.Restricted | TpmaObject.Decrypt;

    /// <summary>High-range attributes: the low-range set plus userWithAuth.</summary>
    public const TpmaObject HighRangeAttributes = LowRangeAttributes | TpmaObject.UserWithAuth;

    /// <summary>Template L-1: RSA 2048, SHA-256, AES-128-CFB; certificate at <see cref="EkNvIndices.RsaLow"/>.</summary>
    public static TpmtPublic Rsa2048 { get; } = new(TpmAlgId.Sha256, LowRangeAttributes, PolicyASha256,
        new TpmsRsaParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, 2048, 0), new TpmRsaPublicId(new byte[256]));

    /// <summary>Template L-2: ECC NIST P-256, SHA-256, AES-128-CFB; certificate at <see cref="EkNvIndices.EccLow"/>.</summary>
    public static TpmtPublic EccP256 { get; } = new(TpmAlgId.Sha256, LowRangeAttributes, PolicyASha256,
        new TpmsEccParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint(new byte[32], new byte[32])));

    /// <summary>Template H-1: RSA 2048, SHA-256, high range; certificate at <see cref="EkNvIndices.Rsa2048High"/>.</summary>
    public static TpmtPublic Rsa2048High { get; } = new(TpmAlgId.Sha256, HighRangeAttributes, PolicyBSha256,
        new TpmsRsaParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, 2048, 0), new TpmRsaPublicId([]));

    /// <summary>Template H-2: ECC NIST P-256, SHA-256, high range; certificate at <see cref="EkNvIndices.EccP256High"/>.</summary>
    public static TpmtPublic EccP256High { get; } = new(TpmAlgId.Sha256, HighRangeAttributes, PolicyBSha256,
        new TpmsEccParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint([], [])));

    /// <summary>Template H-3: ECC NIST P-384, SHA-384, AES-256-CFB, high range; certificate at <see cref="EkNvIndices.EccP384High"/>.</summary>
    public static TpmtPublic EccP384High { get; } = new(TpmAlgId.Sha384, HighRangeAttributes, PolicyBSha384,
        new TpmsEccParms(TpmtSymDef.Aes256Cfb, TpmtScheme.Null, TpmEccCurve.NistP384, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint([], [])));

    /// <summary>
    /// A template with a caller-chosen <c>unique</c> value, so one TPM (one endorsement seed) yields many distinct
    /// EKs — how the simulator gives each virtual device its own EK on a shared swtpm.
    /// </summary>
    public static TpmtPublic WithUnique(TpmtPublic template, ReadOnlySpan<byte> unique) => template.Unique switch
    {
        TpmRsaPublicId => template with { Unique = new TpmRsaPublicId(unique.ToArray()) },
        TpmEccPublicId => template with { Unique = new TpmEccPublicId(new TpmsEccPoint(unique.ToArray(), [])) },
        _ => throw new ArgumentException("EK templates are RSA or ECC", nameof(template)),
    };

    /// <summary>Whether the template's authPolicy is a low-range PolicyA (USER role needs a PolicySecret session).</summary>
    public static bool NeedsPolicySession(TpmtPublic ekPublic) =>
        (ekPublic.Attributes & TpmaObject.UserWithAuth) == 0;
}
