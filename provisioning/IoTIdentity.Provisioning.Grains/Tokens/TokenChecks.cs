using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Enrollment;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>
/// The pure checks of a token request, in the order <see cref="TokenIssuance"/> runs them. Each returns null when it
/// passes, else the refusal naming the reason. No I/O: the device grain supplies its state, the policy and the clock.
/// </summary>
internal static class TokenChecks
{
    /// <summary>The device may hold tokens at all: it is Active with a current certificate (revoked, disabled, moving: not).</summary>
    public static Refusal? CheckStanding(DeviceState device) => device.Status switch
    {
        DeviceStatus.Revoked => new Refusal(ProvisioningError.Revoked, "device revoked"),
        DeviceStatus.Disabled => new Refusal(ProvisioningError.Disabled, "device disabled"),
        _ when device.Quarantine is not null => new Refusal(ProvisioningError.Disabled, "device quarantined"),
        DeviceStatus.Active when device.Current is not null && device.TenantId is not null && device.GroupId is not null => null,
        _ => new Refusal(ProvisioningError.NotEnrolled, $"device is {device.Status}, not enrolled"),
    };

    /// <summary>
    /// The request is signed by the key of the device's current certificate (which it names), within
    /// <see cref="TokenProofs.MaxSkew"/> of now, and later than the last request accepted (so none is accepted twice),
    /// and the certificate is within its validity.
    /// </summary>
    public static Refusal? CheckProof(string deviceId, TokenRequest request, DeviceState device, DateTimeOffset now)
    {
        var current = device.Current!;
        if (CheckAudience(request.Audience) is { } malformed) return malformed;
        if (!string.Equals(request.CertificateSerial, current.SerialNumber, StringComparison.OrdinalIgnoreCase))
            return new Refusal(ProvisioningError.TokenProofInvalid, "token request names another certificate than the current one");
        if (now < current.NotBefore || now > current.NotAfter)
            return new Refusal(ProvisioningError.TokenProofInvalid, "the current certificate is not time-valid");
        if ((now - request.SignedAt).Duration() > TokenProofs.MaxSkew)
            return new Refusal(ProvisioningError.TokenProofInvalid, "token request is stale");
        if (device.LastTokenProofAt is { } last && request.SignedAt <= last)
            return new Refusal(ProvisioningError.TokenProofInvalid, "token request replayed (signed no later than the last one accepted)");
        var signed = TokenProofs.SignedBytes(deviceId, request.Audience, request.CertificateSerial, request.SignedAt);
        bool valid;
        try
        {
            valid = AttestationChecks.VerifiesWithSpki(current.SubjectPublicKeyInfo, signed, request.Signature ?? []);
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        return valid ? null : new Refusal(ProvisioningError.TokenProofInvalid, "token request signature does not verify with the current key");
    }

    /// <summary>The audience is present, at most 256 characters and printable.</summary>
    public static Refusal? CheckAudience(string? audience) =>
        string.IsNullOrEmpty(audience) || audience.Length > 256 || audience.Any(char.IsControl)
            ? new Refusal(ProvisioningError.MalformedRequest, "audience missing or not printable")
            : null;

    /// <summary>
    /// The certificate a device presented in a TLS handshake is its current one (byte for byte: a certificate it has
    /// since renewed, or one of a former owner, gets no token) and is within its validity now.
    /// </summary>
    public static Refusal? CheckPresented(byte[] presented, DeviceState device, DateTimeOffset now)
    {
        var current = device.Current!;
        if (!CryptographicOperations.FixedTimeEquals(presented, current.CertificateDer))
            return new Refusal(ProvisioningError.TokenProofInvalid, "the presented certificate is not the device's current certificate");
        if (now < current.NotBefore || now > current.NotAfter)
            return new Refusal(ProvisioningError.TokenProofInvalid, "the current certificate is not time-valid");
        return null;
    }

    /// <summary>The group allows the audience and the device meets the group's conditions now.</summary>
    public static Refusal? CheckPolicy(TokenPolicy? policy, string audience, DeviceState device, DateTimeOffset now)
    {
        if (policy is null || !policy.Audiences.ContainsKey(audience))
            return new Refusal(ProvisioningError.AudienceNotAllowed, $"group {device.GroupId} allows no tokens for {audience}");
        if (policy.RequireMeasuredBootCompliant && device.NonCompliant)
            return new Refusal(ProvisioningError.TokenConditionsNotMet, "device is not compliant with the group's measured-boot policy");
        if (policy.MinimumFirmwareRelease is { } minimum && !FirmwareReleases.IsAtLeast(device.LastAttestation?.Firmware, minimum))
            return new Refusal(ProvisioningError.TokenConditionsNotMet, $"firmware {device.LastAttestation?.Firmware ?? "(none proved)"} is older than {minimum}");
        if (policy.MaxAttestationAge is { } age && (device.LastAttestation is not { } attested || now - attested.At > age))
            return new Refusal(ProvisioningError.TokenConditionsNotMet, $"last attestation is older than {age}");
        return null;
    }
}
