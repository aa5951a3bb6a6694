using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.State;

/// <summary>One complete identity as the state directory keeps it: certificate chain, metadata and the TPM key blobs.</summary>
/// <param name="Metadata">What <c>identity.json</c> holds.</param>
/// <param name="DeviceKey">The certified device key (TPM blobs, loadable under the SRK of <see cref="IdentityMetadata.SrkTemplate"/>).</param>
/// <param name="AttestationKey">The AK the service knows for this device.</param>
public sealed record StoredIdentity(IdentityMetadata Metadata, TpmKeyBlobs DeviceKey, TpmKeyBlobs AttestationKey)
{
    /// <summary>The identity an enrolment or renewal produced.</summary>
    public static StoredIdentity From(EnrollmentResult result, DateTimeOffset attestedAt) => new(
        new IdentityMetadata
        {
            DeviceId = result.DeviceId,
            Owner = result.Issued.Owner,
            SerialNumber = result.Issued.SerialNumber,
            NotAfter = result.Issued.NotAfter,
            RenewAfter = result.Issued.RenewAfter,
            CertificateChain = result.Issued.CertificateChain,
            SrkTemplate = Tpm.Marshalling.TpmMarshal.ToBytes(result.SrkTemplate),
            LastAttestation = attestedAt,
        },
        result.DeviceKey, result.AttestationKey);

    /// <summary>The device certificate (the chain's first element).</summary>
    public X509Certificate2 LoadCertificate() => X509CertificateLoader.LoadCertificate(Metadata.CertificateChain[0]);

    /// <summary>Whether the certificate has expired at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => now >= Metadata.NotAfter;

    /// <summary>
    /// When to start renewing: the service's hint, but never later than two thirds of the time from issuance to
    /// expiry (a hint computed from a backdated notBefore can land after expiry for lifetimes of seconds).
    /// </summary>
    public DateTimeOffset RenewAfter
    {
        get
        {
            var ceiling = Metadata.LastAttestation + (Metadata.NotAfter - Metadata.LastAttestation) * 2 / 3;
            return Metadata.RenewAfter < ceiling ? Metadata.RenewAfter : ceiling;
        }
    }

    /// <summary>The SRK template both keys were created under.</summary>
    public TpmtPublic SrkTemplate => Tpm.Marshalling.TpmMarshal.FromBytes<TpmtPublic>(Metadata.SrkTemplate);
}

/// <summary>The JSON part of a stored identity (<c>identity.json</c>); the key blobs are files beside it.</summary>
public sealed record IdentityMetadata
{
    /// <summary>Format version of the state directory.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The device id (SHA-256 of the EK public area).</summary>
    public required string DeviceId { get; init; }

    /// <summary>The owner (tenant) the certificate was issued under.</summary>
    public required string Owner { get; init; }

    /// <summary>The certificate serial, lowercase hex.</summary>
    public required string SerialNumber { get; init; }

    /// <summary>When the certificate expires.</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>When the service suggests renewing.</summary>
    public required DateTimeOffset RenewAfter { get; init; }

    /// <summary>Device certificate then issuing CA, DER each.</summary>
    public required IReadOnlyList<byte[]> CertificateChain { get; init; }

    /// <summary>The marshalled TPMT_PUBLIC of the SRK the keys live under.</summary>
    public required byte[] SrkTemplate { get; init; }

    /// <summary>When the TPM last passed attestation (this identity's issuance, or a later attest-now).</summary>
    public required DateTimeOffset LastAttestation { get; init; }

    /// <summary>Command ids already executed (idempotency across restarts), most recent last, bounded.</summary>
    public IReadOnlyList<string> ExecutedCommands { get; init; } = [];
}
