using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Simulator.Factory;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The misbehaviours of the detection phase, each on fleet devices of its own. Every refusal a misbehaviour provokes
/// is checked to be the one the service must give, so a phase that "detects" a misbehaviour that never happened fails.
/// </summary>
public static class Misbehaviours
{
    /// <summary>The misbehaviours, in the order they run.</summary>
    public static IReadOnlyList<Misbehaviour> All { get; } =
    [
        new("cloned-identity", "CloneSuspected", ClonedIdentityAsync),
        new("failing-attestation-burst", "AttestationFailures", FailingAttestationBurstAsync),
        new("revoked-device-knocking", "RevokedDeviceRetrying", RevokedDeviceKnockingAsync),
        new("firmware-downgrade", "FirmwareDowngrade", FirmwareMisbehaviours.DowngradeAsync),
        new("pcr-drift", "FirmwareDrift", FirmwareMisbehaviours.DriftAsync),
    ];

    /// <summary>
    /// The same TPM key active from two connections: the device enrols, then renews on the session its certificate
    /// authenticates; a second connection, holding a copy of the identity from before the renewal, opens a session with
    /// the superseded certificate (once the device's own has closed: two at once would be refused at CONNECT) and
    /// renews with it.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ClonedIdentityAsync(MisbehaviourContext context, CancellationToken ct)
    {
        var device = context.Take(1)[0];
        await context.Fleet.RunOnSlotAsync(device.Slot, async tpm =>
        {
            var enrollment = new TpmEnrollment(tpm, context.Fleet.OptionsFor(device));
            EnrollmentResult copied;
            await using (var firstBoot = await EnrollmentClient.ConnectAsync(device.DeviceId, context.Client, ct))
                copied = await enrollment.EnrollAsync(firstBoot, ct);
            await using (var original = await AuthenticatedSessions.ConnectHoldingTpmAsync(enrollment, copied, context.Client, ct))
                await enrollment.RenewAsync(original, copied.DeviceKey, copied.Issued.SerialNumber, ct);
            await using var twin = await AuthenticatedSessions.ConnectHoldingTpmAsync(enrollment, copied, context.Client, ct);
            await ExpectRefusalAsync(ProvisioningError.RenewalNotAuthorized, () => enrollment.RenewAsync(twin, copied.DeviceKey, copied.Issued.SerialNumber, ct));
            return true;
        }, ct);
        return [device.DeviceId];
    }

    /// <summary>As many of the group's enrolled devices as the policy's threshold renew with PCR values that are not the quoted ones.</summary>
    private static async Task<IReadOnlyList<string>> FailingAttestationBurstAsync(MisbehaviourContext context, CancellationToken ct)
    {
        var devices = context.Take(context.Policy.AttestationFailureThreshold);
        foreach (var device in devices)
            await context.Fleet.RunOnSlotAsync(device.Slot, async tpm =>
            {
                var enrollment = new TpmEnrollment(tpm, context.Fleet.OptionsFor(device));
                EnrollmentResult enrolled;
                await using (var firstBoot = await EnrollmentClient.ConnectAsync(device.DeviceId, context.Client, ct))
                    enrolled = await enrollment.EnrollAsync(firstBoot, ct);
                await using var connection = await AuthenticatedSessions.ConnectHoldingTpmAsync(enrollment, enrolled, context.Client, ct);
                var tampered = new AdversaryChannel(connection)
                {
                    Attest = a => a with { PcrValues = [.. a.PcrValues.Select(v => v with { Digest = SHA256.HashData(v.Digest) })] },
                };
                await ExpectRefusalAsync(ProvisioningError.QuoteInvalid, () => enrollment.RenewAsync(tampered, enrolled.DeviceKey, enrolled.Issued.SerialNumber, ct));
                return true;
            }, ct);
        return [.. devices.Select(d => d.DeviceId)];
    }

    /// <summary>An enrolled device is revoked by its owner and keeps asking for a certificate, as often as the policy's threshold.</summary>
    private static async Task<IReadOnlyList<string>> RevokedDeviceKnockingAsync(MisbehaviourContext context, CancellationToken ct)
    {
        var device = context.Take(1)[0];
        await context.Fleet.RunOnSlotAsync(device.Slot, async tpm =>
        {
            var enrollment = new TpmEnrollment(tpm, context.Fleet.OptionsFor(device));
            await using (var connection = await EnrollmentClient.ConnectAsync(device.DeviceId, context.Client, ct))
                await enrollment.EnrollAsync(connection, ct);
            await context.Api.RevokeDeviceAsync(device.DeviceId, "keyCompromise", ct);
            await using var again = await EnrollmentClient.ConnectAsync(device.DeviceId, context.Client, ct);
            for (var i = 0; i < context.Policy.RevokedRetryThreshold; i++)
                await ExpectRefusalAsync(ProvisioningError.Revoked, () => enrollment.EnrollAsync(again, ct));
            return true;
        }, ct);
        return [device.DeviceId];
    }

    /// <summary>Runs <paramref name="attempt"/>, which must be refused with <paramref name="expected"/>.</summary>
    internal static async Task ExpectRefusalAsync(ProvisioningError expected, Func<Task> attempt)
    {
        try
        {
            await attempt();
        }
        catch (EnrollmentRefusedException e)
        {
            if (e.Error == expected) return;
            throw new MisbehaviourFailedException($"expected the service to refuse with {expected}, but it refused with {e.Error}");
        }
        throw new MisbehaviourFailedException($"expected the service to refuse with {expected}, but it accepted");
    }
}

/// <summary>A misbehaviour did not happen as it must (the service accepted what it should have refused).</summary>
public sealed class MisbehaviourFailedException(string message) : Exception(message);
