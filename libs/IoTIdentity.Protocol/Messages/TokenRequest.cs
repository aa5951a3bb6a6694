namespace IoTIdentity.Protocol.Messages;

/// <summary>
/// Step 3 — <c>token</c>: an enrolled device asks for a short-lived JWT for one audience. The request is signed by the
/// device's current key (the TPM key its certificate certifies) over <see cref="TokenProofs.SignedBytes"/>, so only the
/// holder of that TPM key can obtain a token bound to its certificate, and a captured request cannot be replayed.
/// </summary>
public sealed record TokenRequest
{
    /// <summary>The relying party the token is for (one of the group's allowed audiences).</summary>
    public required string Audience { get; init; }

    /// <summary>Serial number (hex) of the device's current certificate, whose key signs.</summary>
    public required string CertificateSerial { get; init; }

    /// <summary>When the device signed (UTC); the service accepts a small skew and each time only once.</summary>
    public required DateTimeOffset SignedAt { get; init; }

    /// <summary>The signature: ECDSA P1363 (r||s) or RSASSA-PKCS1-v1_5, SHA-256.</summary>
    public required byte[] Signature { get; init; }

    /// <summary>A shorter lifetime than the group's default, in seconds (the service caps it at the group's maximum).</summary>
    public int? LifetimeSeconds { get; init; }
}
