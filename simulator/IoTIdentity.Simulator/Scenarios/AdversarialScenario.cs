using System.Diagnostics;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Sessions;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// adversarial, in two phases. First, one device in five attacks — a forged EK certificate (from a manufacturer nobody
/// trusts), PCR values that are not the quoted ones, a quote replayed from an earlier challenge, or another device's
/// client id — and the phase passes only if every honest device enrols and every attacker is refused with the expected
/// reason, so no attacker ever gets a certificate. Then, when the target gives the fleet tenant's API, the
/// <see cref="DetectionPhase"/>: devices misbehave (<see cref="Misbehaviours.All"/>: a cloned identity, a failing-
/// attestation burst, a revoked device knocking, a firmware downgrade, PCR drift) and each must show up as the finding
/// its detector opens.
/// </summary>
public sealed class AdversarialScenario : IFleetScenario
{
    /// <inheritdoc/>
    public string Name => "adversarial";

    /// <inheritdoc/>
    public string Description => "One device in five attacks (the run fails if any attacker gets a certificate); then misbehaving devices must each raise their finding";

    /// <inheritdoc/>
    public bool SupportsEmulatedTpm => false;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var attacks = await RunAsync(context.Fleet, context.Client, Path.Combine(context.WorkDirectory, "rogue"), cancellationToken);
        if (await context.Target.GetApiAsync(cancellationToken) is not { } api)
            return [attacks with { Warnings = [.. attacks.Warnings, $"the target gives no API key of the fleet's tenant: the {DetectionPhase.Name} phase did not run"] }];
        return [attacks, await DetectionPhase.RunAsync(context.Fleet, context.Client, api, context.WorkDirectory, cancellationToken)];
    }

    /// <summary>The attacks and the refusal each must meet.</summary>
    public static readonly IReadOnlyList<(string Attack, ProvisioningError Expected)> Attacks =
    [
        ("forged-ek-certificate", ProvisioningError.UntrustedEkCertificate),
        ("wrong-pcr-values", ProvisioningError.QuoteInvalid),
        ("replayed-quote", ProvisioningError.QuoteInvalid),
        ("spoofed-client-id", ProvisioningError.NotAuthorized),
    ];

    /// <summary>Runs the scenario; an outcome "succeeds" when the device ended as expected.</summary>
    public static async Task<ScenarioReport> RunAsync(Fleet fleet, EnrollmentClientOptions client, string rogueDirectory, CancellationToken cancellationToken)
    {
        using var rogue = ManufacturerCa.LoadOrCreate(rogueDirectory, Fleet.ManufacturerShape with { Name = "IoTIdentity Rogue TPM Manufacturer" });
        var devices = fleet.Devices;
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(devices.Select(device => fleet.RunOnSlotAsync(device.Slot, async tpm =>
        {
            var attack = device.Index % 5 == 4 ? Attacks[device.Index / 5 % Attacks.Count] : default;
            try
            {
                var steps = attack.Attack is null
                    ? await EnrolHonestlyAsync(fleet, tpm, device, client, cancellationToken)
                    : await AttackAsync(fleet, attack.Attack, tpm, device, devices, rogue, client, cancellationToken);
                var expected = attack.Attack is null;
                return new DeviceOutcome(device.DeviceId, expected, expected ? null : $"{attack.Attack}: certificate issued", clock.Elapsed.TotalSeconds, steps);
            }
            catch (EnrollmentRefusedException e)
            {
                var expected = attack.Attack is not null && e.Error == attack.Expected;
                return new DeviceOutcome(device.DeviceId, expected, expected ? null : $"{attack.Attack ?? "honest"}: {e.Error}",
                    clock.Elapsed.TotalSeconds, new Dictionary<string, double>());
            }
        }, cancellationToken)));
        return ScenarioReport.From("adversarial", outcomes, clock.Elapsed);
    }

    private static async Task<Dictionary<string, double>> EnrolHonestlyAsync(Fleet fleet, TpmClient tpm, FleetDevice device, EnrollmentClientOptions client, CancellationToken ct)
    {
        await using var connection = await EnrollmentClient.ConnectAsync(device.DeviceId, client, ct);
        var result = await new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(connection, ct);
        return result.StepDurations.ToDictionary(s => s.Key, s => s.Value.TotalMilliseconds);
    }

    private static async Task<Dictionary<string, double>> AttackAsync(Fleet fleet, string attack, TpmClient tpm, FleetDevice device, IReadOnlyList<FleetDevice> devices,
        ManufacturerCa rogue, EnrollmentClientOptions client, CancellationToken ct)
    {
        var options = fleet.OptionsFor(device);
        var connectAs = attack == "spoofed-client-id" ? devices[(device.Index + 1) % devices.Count].DeviceId : device.DeviceId;
        await using var connection = await EnrollmentClient.ConnectAsync(connectAs, client, ct);
        switch (attack)
        {
            case "forged-ek-certificate":
                var ek = await tpm.CreateEkAsync(options.EkTemplate, cancellationToken: ct);
                await tpm.FlushAsync(ek.ObjectHandle, ct);
                options = options with { EkCertificate = Fleet.IssueEkCertificate(rogue, ek.OutPublic.Value) };
                await new TpmEnrollment(tpm, options).EnrollAsync(connection, ct);
                break;
            case "wrong-pcr-values":
                await new TpmEnrollment(tpm, options).EnrollAsync(new AdversaryChannel(connection)
                {
                    Attest = a => a with { PcrValues = [.. a.PcrValues.Select(v => v with { Digest = SHA256.HashData(v.Digest) })] },
                }, ct);
                break;
            case "replayed-quote":
                // capture a quote made for one challenge without answering it, then answer the next challenge with it
                AttestRequest? captured = null;
                try
                {
                    await new TpmEnrollment(tpm, options).EnrollAsync(new AdversaryChannel(connection)
                    {
                        Attest = a => { captured = a; throw new OperationCanceledException("captured"); },
                    }, ct);
                }
                catch (OperationCanceledException) when (captured is not null)
                {
                }
                await new TpmEnrollment(tpm, options).EnrollAsync(new AdversaryChannel(connection)
                {
                    Attest = a => a with { Quote = captured!.Quote, QuoteSignature = captured.QuoteSignature, PcrValues = captured.PcrValues },
                }, ct);
                break;
            case "spoofed-client-id":
                // connected under its neighbour's id with its own EK; the enrolment code refuses to do that, so send by hand
                var own = await tpm.CreateEkAsync(options.EkTemplate, cancellationToken: ct);
                await tpm.FlushAsync(own.ObjectHandle, ct);
                await connection.RegisterAsync(new RegisterRequest
                {
                    EkPublic = own.OutPublic.Raw, EkCertificate = options.EkCertificate!, AkPublic = own.OutPublic.Raw,
                }, ct);
                break;
        }
        return [];
    }
}
