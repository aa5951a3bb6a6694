using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// An operator's "attest again now". Every renewal is a full attestation (fresh challenge, quote, event log against the
/// firmware policy, new device key), so the request is the signed <c>attest-now</c> command the agent answers with a
/// renewal: published at once (a listening device gets it), and re-sent whenever the device subscribes to its commands again. The request
/// is recorded and audited first and stays open until an attestation is accepted after it; one refused by the policy
/// leaves it open (its status says the device answered and failed, and why), and the certificate runs out as usual.
/// </summary>
public sealed class DeviceReattestation(DeviceAdministration administration, DeviceLedger ledger, DeviceCommandPublisher commands, TimeProvider clock)
{
    /// <summary>Records and sends the request; nothing is asked of a device that holds no certificate it may renew.</summary>
    public async Task<ReattestRequest> RequestAsync(DeviceContext device, string tenantId, string actor)
    {
        if (administration.View(device, tenantId) is null) return new ReattestRequest { Outcome = ReattestOutcome.NotFound };
        var s = device.State;
        if (!IsRenewable(s)) return new ReattestRequest { Outcome = ReattestOutcome.NotRenewable };
        var now = clock.GetUtcNow();
        await ledger.RecordAsync(device, s with { ReattestRequestedAt = now, ReattestRefusal = null },
            new DeviceEvent(tenantId, AuditActions.Reattest, "requested", actor, new Dictionary<string, string> { ["serial"] = s.Current!.SerialNumber }),
            inventory: false);
        var published = await SendAsync(device, tenantId);
        return new ReattestRequest { Outcome = published ? ReattestOutcome.Sent : ReattestOutcome.Pending, RequestedAt = now };
    }

    /// <summary>Sends the command again while the request is open and the device may still renew.</summary>
    public async Task ResendAsync(DeviceContext device)
    {
        var s = device.State;
        if (OpenSince(s) is null || !IsRenewable(s)) return;
        await SendAsync(device, s.TenantId!);
    }

    /// <summary>Records that the device answered the open request with an attestation that was refused after its TPM proved
    /// its EK (so the answer is the device's, not an impostor's); nothing when no request is open.</summary>
    public async Task RecordRefusalAsync(DeviceContext device, Refusal refusal)
    {
        var s = device.State;
        if (OpenSince(s) is null) return;
        await ledger.RecordAsync(device, s with { ReattestRefusal = new ReattestRefusal(clock.GetUtcNow(), $"{refusal.Error}: {refusal.Detail}") }, inventory: false);
    }

    /// <summary>The last request and its answer: attested once an attestation is accepted after it, failed while the last
    /// answer since was refused, requested until then; null when the device was never asked.</summary>
    public static ReattestView? Status(DeviceState s)
    {
        if (s.ReattestRequestedAt is not { } at) return null;
        if (s.LastAttestation?.At is { } attested && attested >= at)
            return new ReattestView { RequestedAt = at, Progress = ReattestProgress.Attested, AnsweredAt = attested };
        if (s.ReattestRefusal is { } refused && refused.At >= at)
            return new ReattestView { RequestedAt = at, Progress = ReattestProgress.Failed, AnsweredAt = refused.At, Reason = refused.Reason };
        return new ReattestView { RequestedAt = at, Progress = ReattestProgress.Requested };
    }

    /// <summary>When the open request was made, or null when none is open (never asked, or attested since).</summary>
    public static DateTimeOffset? OpenSince(DeviceState s) =>
        s.ReattestRequestedAt is { } at && !(s.LastAttestation?.At >= at) ? at : null;

    /// <summary>The id of the command that carries the request made at <paramref name="requestedAt"/>, the same each time it is sent.</summary>
    public static string CommandId(DateTimeOffset requestedAt) => $"attest-now-{requestedAt.UtcTicks:x}";

    /// <summary>The device holds a certificate and nothing (disable, quarantine, revocation, a transfer's re-enrolment) stops it renewing.</summary>
    private static bool IsRenewable(DeviceState s) =>
        s.Current is not null && s.Status == DeviceStatus.Active && s.Quarantine is null;

    private async Task<bool> SendAsync(DeviceContext device, string tenantId)
    {
        // one command id per request: a device that gets it twice (published, then re-sent when it subscribes again on
        // its new session) answers it once
        var command = await commands.SignAsync(tenantId, device.DeviceId, DeviceCommandKinds.AttestNow, CommandId(device.State.ReattestRequestedAt!.Value));
        return await commands.PublishAsync(device.DeviceId, command);
    }
}
