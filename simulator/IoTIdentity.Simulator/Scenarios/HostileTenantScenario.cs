using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// adversarial-tenant: a hostile tenant, with API keys of its own, attacks another tenant's fleet through everything a
/// tenant may configure. The fleet's devices name their owner's enrolment scope, as agents configured by their owner do;
/// half of them enrol first (owned), half stay unowned while the attack begins. The hostile tenant (created with the
/// service administrator key; an operator key it makes itself does the device work) then trusts the fleet's
/// manufacturer tenant-wide and in a group, puts individual enrolments and claim codes on every device, and tries to
/// read, disable, revoke, export the ownership record of and transfer away each owned one. Then the whole fleet renews
/// or enrols for the first time while all of that is in place, and the hostile tenant tries the owned-device attacks
/// again on the devices that enrolled meanwhile. The run passes only if every attack got the answer that changes
/// nothing (below) and the fleet's enrol and renewal success is 100 %, every certificate issued to its owner.
/// </summary>
public sealed class HostileTenantScenario : IFleetScenario
{
    /// <summary>The hostile tenant's group that trusts the fleet's manufacturer.</summary>
    public const string HostileGroup = "hostile";

    /// <summary>Phase names, in order.</summary>
    public static readonly IReadOnlyList<string> Phases = ["enrol", "hostile-tenant", "fleet-under-attack", "hostile-tenant-after"];

    private const int Allowed = 200;

    /// <inheritdoc/>
    public string Name => "adversarial-tenant";

    /// <inheritdoc/>
    public string Description => "A hostile tenant with its own keys attacks the fleet's tenant (roots, groups, enrolments, claim codes, transfers); " +
        "the fleet's enrol and renewal success must stay 100 % (needs the service admin key: --admin-key for a remote service)";

    /// <inheritdoc/>
    public bool NeedsServiceAdministrator => true;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (fleetApi, adminApi) = await ServiceApi.ForTenantCreationAsync(context.Target, Name, cancellationToken);
        using var owner = fleetApi.CreateIotIdClient();
        using var admin = adminApi.CreateIotIdClient();
        var tenant = (await owner.GetOwnTenantAsync(cancellationToken)).Value;
        var fleet = context.Fleet;
        // the owner configures its agents with its scope; a device that names none would be AmbiguousOwner once a second
        // tenant trusts the manufacturer, which is the trust model working, not the attack succeeding
        fleet.EnrollmentScope = tenant.EnrollmentScope;
        var owned = fleet.Devices.Where((_, i) => i % 2 == 0).ToList();
        var unowned = fleet.Devices.Where((_, i) => i % 2 == 1).ToList();
        var results = new ConcurrentDictionary<string, EnrollmentResult>();

        var enrol = await RunFleetAsync(context, Phases[0], owned, tenant.TenantId, results, cancellationToken);

        var created = (await admin.CreateTenantAsync(new CreateTenantRequest($"sim-hostile-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            "iotid-sim hostile tenant"), cancellationToken)).Value;
        using var hostileAdmin = new IotIdClient(fleetApi.BaseAddress, created.OwnerAdminKey, timeout: TimeSpan.FromSeconds(30));
        var operatorKey = (await hostileAdmin.CreateApiKeyAsync(new CreateApiKeyRequest("iotid-sim hostile operator", "Operator"), cancellationToken)).Value.Key;
        using var hostileOperator = new IotIdClient(fleetApi.BaseAddress, operatorKey, timeout: TimeSpan.FromSeconds(30));
        var hostile = new Hostile(hostileAdmin, hostileOperator, tenant.TenantId);
        try
        {
            var root = X509CertificateLoader.LoadCertificate(fleet.Manufacturer.RootDer).ExportCertificatePem();
            List<Attack> attacks =
            [
                // a tenant may trust any vendor: allowed, and the fleet phase shows it changes nothing for the owner's devices
                new("trust-vendor-root", "tenant", Allowed, ct => hostileAdmin.SetManufacturerRootsAsync(new ManufacturerRootsRequest([root]), ct)),
                new("vendor-group", HostileGroup, Allowed, ct => hostileOperator.PutGroupAsync(HostileGroup, new EnrollmentGroup { TrustedRootsPem = [root] }, ct)),
                .. owned.SelectMany(hostile.AgainstOwned),
                // nobody owns these yet, so the enrolment is stored; the devices name their owner's scope and never present
                // the hostile tenant's guessed code, so it claims nothing
                .. unowned.Select(d => new Attack("claim-code-unowned", d.DeviceId, Allowed,
                    ct => hostileOperator.PutIndividualEnrollmentAsync(d.DeviceId, new IndividualEnrollment(HostileGroup, true, GuessedCodeHash(d.DeviceId)), ct))),
            ];
            var attacked = await RunAttacksAsync(context, Phases[1], attacks, cancellationToken);
            var underAttack = await RunFleetAsync(context, Phases[2], fleet.Devices, tenant.TenantId, results, cancellationToken);
            var after = await RunAttacksAsync(context, Phases[3], unowned.SelectMany(hostile.AgainstOwned).ToList(), cancellationToken);
            return [enrol, attacked, underAttack, after];
        }
        finally
        {
            await LeaveAsync(hostileAdmin, hostileOperator, unowned, cancellationToken);
        }
    }

    /// <summary>One attack: what the hostile tenant calls, and the HTTP status that shows it changed nothing (200: any success).</summary>
    private sealed record Attack(string Name, string Target, int Expected, Func<CancellationToken, Task> Call);

    /// <summary>The hostile tenant's keys and the attacks it makes on a device another tenant owns.</summary>
    private sealed record Hostile(IotIdClient Admin, IotIdClient Operator, string VictimTenantId)
    {
        public IEnumerable<Attack> AgainstOwned(FleetDevice device)
        {
            var id = device.DeviceId;
            yield return new("individual-enrolment", id, 409, ct => Operator.PutIndividualEnrollmentAsync(id, new IndividualEnrollment(HostileGroup), ct));
            yield return new("claim-code", id, 409, ct => Operator.PutIndividualEnrollmentAsync(id, new IndividualEnrollment(HostileGroup, true, GuessedCodeHash(id)), ct));
            yield return new("read-device", id, 404, ct => Operator.GetDeviceAsync(id, ct));
            yield return new("disable", id, 404, ct => Operator.SetDeviceDisabledAsync(id, true, ct));
            yield return new("revoke", id, 404, ct => Operator.RevokeDeviceAsync(id, null, ct));
            yield return new("ownership-record", id, 404, ct => Operator.GetOwnershipDocumentAsync(id, ct));
            yield return new("transfer-away", id, 404, ct => Admin.CreateTransferAsync(new CreateTransferRequest(VictimTenantId, [id]), ct));
        }
    }

    /// <summary>The hash of a claim code the hostile tenant made up for a device (it cannot know the printed one).</summary>
    private static string GuessedCodeHash(string deviceId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"guess-{deviceId[..8]}")));

    /// <summary>
    /// Every device's flow (enrol, or renew one that holds a certificate) on the open-loop schedule; a device issued a
    /// certificate of any tenant but <paramref name="ownerTenantId"/> failed.
    /// </summary>
    private static async Task<ScenarioReport> RunFleetAsync(ScenarioContext context, string phase, IReadOnlyList<FleetDevice> devices, string ownerTenantId,
        ConcurrentDictionary<string, EnrollmentResult> results, CancellationToken cancellationToken)
    {
        var arrivals = devices.Zip(DeviceRunner.Schedule(devices.Count, context.Rate), (d, at) => new Arrival(d, at)).ToList();
        var flow = FleetScenarios.EnrolOrRenew(context.Fleet, results, cancellationToken);
        var (outcomes, elapsed) = await DeviceRunner.RunAsync(context.Fleet, context.Client, arrivals, flow, context.Phase(phase, arrivals.Count), cancellationToken);
        var judged = outcomes.Select(o => !o.Succeeded || results[o.DeviceId].Issued.Owner == ownerTenantId ? o
            : o with { Succeeded = false, Error = "issued to another tenant" }).ToList();
        return ScenarioReport.From(phase, judged, elapsed);
    }

    /// <summary>Runs the attacks one after another; each is an outcome that succeeded when the answer was the expected one.</summary>
    private static async Task<ScenarioReport> RunAttacksAsync(ScenarioContext context, string phase, IReadOnlyList<Attack> attacks, CancellationToken cancellationToken)
    {
        var progress = context.Phase(phase, attacks.Count);
        var clock = Stopwatch.StartNew();
        var outcomes = new List<DeviceOutcome>();
        foreach (var attack in attacks)
        {
            int status;
            try
            {
                await attack.Call(cancellationToken);
                status = Allowed;
            }
            catch (IotIdApiException e)
            {
                status = e.Status;
            }
            var expected = status == attack.Expected;
            var outcome = new DeviceOutcome($"{attack.Name} {attack.Target}", expected, expected ? null : $"{attack.Name}: answered {status}, not {attack.Expected}",
                clock.Elapsed.TotalSeconds, new Dictionary<string, double>());
            progress?.Report(outcome);
            outcomes.Add(outcome);
        }
        return ScenarioReport.From(phase, outcomes, clock.Elapsed);
    }

    /// <summary>
    /// The hostile tenant takes back what it configured (group, roots, its individual enrolments), so a later unscoped
    /// run against the same service is not refused as ambiguous because of this one.
    /// </summary>
    private static async Task LeaveAsync(IotIdClient admin, IotIdClient @operator, IEnumerable<FleetDevice> enrolled, CancellationToken cancellationToken)
    {
        foreach (var device in enrolled) await IgnoreNotFoundAsync(() => @operator.DeleteIndividualEnrollmentAsync(device.DeviceId, cancellationToken));
        await IgnoreNotFoundAsync(() => @operator.DeleteGroupAsync(HostileGroup, cancellationToken));
        await admin.SetManufacturerRootsAsync(new ManufacturerRootsRequest([]), cancellationToken);
    }

    private static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (IotIdApiException e) when (e.Status == 404)
        {
            // never made (the run stopped before) or already gone
        }
    }
}
