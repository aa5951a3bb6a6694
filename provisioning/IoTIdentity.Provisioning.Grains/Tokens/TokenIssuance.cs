using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>
/// The device grain's collaborator for step 3, <c>token</c>. Checks, in order: the device is Active, not revoked or
/// disabled (<see cref="TokenChecks.CheckStanding"/>); the device is authenticated as the holder of its current
/// certificate's key — by a request signed with that key, fresh and not replayed (<see cref="TokenChecks.CheckProof"/>),
/// or by that very certificate presented in a TLS handshake (<see cref="TokenChecks.CheckPresented"/>); that certificate
/// is not on the tenant's CRL; its group exists and is enabled; the group's token policy allows the audience and the
/// device meets its conditions now (<see cref="TokenChecks.CheckPolicy"/>); the asked lifetime is positive. Then the
/// tenant's signer signs the claims, bound to that certificate, the decision is recorded (durably, with the audit entry)
/// and only then the token is answered.
/// </summary>
public sealed class TokenIssuance(DeviceLedger ledger, IGrainFactory grains, ProvisioningMetrics metrics, TimeProvider clock)
{
    /// <summary>Issues a token for a request signed by the device's current key, or refuses with the reason.</summary>
    public async Task<ProtocolReply<TokenResponse>> IssueAsync(DeviceContext device, TokenRequest request, byte[] evidence)
    {
        // 3. token: the device's standing, its proof of the current key, the certificate's revocation, the group's policy
        var s = device.State;
        var now = clock.GetUtcNow();
        if ((TokenChecks.CheckStanding(s) ?? TokenChecks.CheckProof(device.DeviceId, request, s, now)) is { } refused) return refused;
        return await IssueForCurrentAsync(device, request.Audience, request.LifetimeSeconds, now, evidence, "signed-request",
            s with { LastTokenProofAt = request.SignedAt, LastSeenAt = Devices.DevicePresence.SeenAt(s, now) });
    }

    /// <summary>
    /// Issues a token to a device that presented <paramref name="certificate"/> in a TLS handshake the edge authenticated
    /// (the handshake proved the key; the edge checked the chain to the tenant's issuing CA), or refuses with the reason.
    /// </summary>
    public async Task<ProtocolReply<TokenResponse>> IssueForPresentedAsync(DeviceContext device, CertificateTokenRequest request, byte[] certificate, byte[] evidence)
    {
        // 3. token over TLS client authentication: the device's standing, the presented certificate is its current one, then as above
        var s = device.State;
        var now = clock.GetUtcNow();
        if ((TokenChecks.CheckStanding(s) ?? TokenChecks.CheckAudience(request.Audience) ?? TokenChecks.CheckPresented(certificate, s, now)) is { } refused) return refused;
        return await IssueForCurrentAsync(device, request.Audience, request.LifetimeSeconds, now, evidence, "tls-client-certificate",
            s with { LastSeenAt = Devices.DevicePresence.SeenAt(s, now) });
    }

    private async Task<ProtocolReply<TokenResponse>> IssueForCurrentAsync(DeviceContext device, string audience, int? lifetimeSeconds, DateTimeOffset now, byte[] evidence,
        string authenticatedBy, DeviceState next)
    {
        var s = device.State;
        var current = s.Current!;
        var tenantId = s.TenantId!;
        if (await grains.GetGrain<ITenantGrain>(current.TenantId).GetRevocationAsync(current.SerialNumber) is not null)
            return new Refusal(ProvisioningError.Revoked, $"certificate {current.SerialNumber} is revoked");
        var key = new GroupKey(tenantId, s.GroupId!);
        var group = await grains.GetGroupGrain(key).GetPolicyAsync();
        if (group is null) return new Refusal(ProvisioningError.NotEnrolled, $"group {key} no longer exists");
        if (!group.Enabled) return new Refusal(ProvisioningError.Disabled, $"group {key} is disabled");
        var policy = await grains.GetGrain<ITokenPolicyGrain>(key.ToString()).GetAsync();
        if (TokenChecks.CheckPolicy(policy, audience, s, now) is { } notAllowed) return notAllowed;
        if (lifetimeSeconds is <= 0) return new Refusal(ProvisioningError.MalformedRequest, "lifetimeSeconds must be positive");

        var lifetime = Min(lifetimeSeconds is { } asked ? TimeSpan.FromSeconds(asked) : policy!.DefaultLifetime, policy!.MaxLifetime, TokenPolicy.LongestLifetime);
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var claims = new TokenClaims
        {
            Subject = TokenIssuers.Subject(device.DeviceId),
            Audience = audience,
            IssuedAt = issuedAt,
            ExpiresAt = issuedAt + lifetime,
            TokenId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            DeviceId = device.DeviceId,
            GroupId = key.GroupId,
            FirmwareRelease = s.LastAttestation?.Firmware,
            AttestedAt = s.LastAttestation?.At ?? current.NotBefore,
            Scopes = policy.Audiences[audience],
            CertificateThumbprint = Base64UrlEncoder.Encode(SHA256.HashData(current.CertificateDer)),
            CertificateSerial = current.SerialNumber,
        };
        var token = await grains.GetGrain<ITokenSignerGrain>(tenantId).SignAsync(claims);
        await ledger.RecordAsync(device, next,
            new DeviceEvent(tenantId, AuditActions.Token, "issued", "device",
                new Dictionary<string, string>
                {
                    ["aud"] = claims.Audience, ["jti"] = claims.TokenId, ["exp"] = claims.ExpiresAt.ToString("O"), ["authenticatedBy"] = authenticatedBy,
                }, evidence),
            inventory: Devices.DevicePresence.RowIsStale(s, now));
        metrics.TokenIssued();
        return new TokenResponse { Token = token, ExpiresAt = claims.ExpiresAt, Scopes = claims.Scopes };
    }

    private static TimeSpan Min(params ReadOnlySpan<TimeSpan> values)
    {
        var min = TimeSpan.MaxValue;
        foreach (var v in values) if (v < min) min = v;
        return min;
    }
}
