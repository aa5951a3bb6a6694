using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// transfer: the fleet enrols into its tenant (A) and stays online listening for commands (<see cref="OnlineFleet"/>);
/// the simulator creates a second tenant (B, with the service administrator key) whose group trusts the fleet's
/// manufacturer, transfers every device from A to B (<c>POST /api/v1/transfers</c> with A's owner-admin key, in
/// transfers of at most 1000 devices) and accepts with B's key. Each device then sees the signed <c>reenroll</c>
/// command, enrols again and ends with a certificate of B that chains to B's root. The transfer phase times each device
/// from acceptance (just before the accept request) to the command and to B's certificate. It passes only if every
/// device holds B's certificate and every transfer view says <c>Completed</c> with all its devices <c>Reenrolled</c>.
/// </summary>
public sealed class TransferScenario : IFleetScenario
{
    /// <summary>B's enrolment group, which trusts the fleet's manufacturer and receives the devices.</summary>
    public const string TargetGroup = "iotid-sim";

    private const int DevicesPerTransfer = 1000;

    /// <inheritdoc/>
    public string Name => "transfer";

    /// <inheritdoc/>
    public string Description => "The fleet enrols and stays online, then all of it is transferred to a new tenant and re-enrols for it (needs the service admin key: --admin-key for a remote service)";

    /// <inheritdoc/>
    public bool NeedsServiceAdministrator => true;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (fleetApi, adminApi) = await ServiceApi.ForTenantCreationAsync(context.Target, Name, cancellationToken);
        using var source = fleetApi.CreateIotIdClient();
        using var admin = adminApi.CreateIotIdClient();
        var sourceTenant = await CheckSourceKeyAsync(source, cancellationToken);

        await using var online = new OnlineFleet(context.Fleet, context.Client);
        var enrol = await online.EnrolAsync("enrol", context.Rate, context.Phase("enrol", context.Fleet.Devices.Count), cancellationToken);
        if (online.Identities.Values.FirstOrDefault(r => r.Issued.Owner != sourceTenant) is { } stray)
            throw new ArgumentException($"device {stray.DeviceId} enrolled into tenant {stray.Issued.Owner}, not {sourceTenant}: the fleet was transferred " +
                "by an earlier run; use a fresh --data (or --fleet)");

        // B is created only now: while two tenants' groups trust the manufacturer, a first enrolment would be ambiguous
        var created = (await admin.CreateTenantAsync(new CreateTenantRequest($"sim-transfer-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            "iotid-sim transfer target", null, null), cancellationToken)).Value;
        using var target = new IotIdClient(fleetApi.BaseAddress, created.OwnerAdminKey, timeout: TimeSpan.FromSeconds(30));
        await target.PutGroupAsync(TargetGroup, new EnrollmentGroup
        {
            TrustedRootsPem = [X509CertificateLoader.LoadCertificate(context.Fleet.Manufacturer.RootDer).ExportCertificatePem()],
        }, cancellationToken);
        using var targetRoot = X509Certificate2.CreateFromPem(created.RootCertificatePem ?? throw new InvalidOperationException("the new tenant came without its root"));

        var deviceIds = online.Identities.Keys.Order(StringComparer.Ordinal).ToList();
        var transferIds = new List<string>();
        foreach (var chunk in deviceIds.Chunk(DevicesPerTransfer))
            transferIds.Add((await source.CreateTransferAsync(new CreateTransferRequest(created.TenantId, chunk, "reenrollment", null), cancellationToken)).Value.TransferId);

        online.ExpectOwner(deviceIds, created.TenantId, targetRoot, context.Phase("transfer", deviceIds.Count));
        foreach (var transferId in transferIds) await target.AcceptTransferAsync(transferId, TargetGroup, cancellationToken);
        var (outcomes, elapsed) = await online.WaitAsync(Patience(context), cancellationToken);

        var views = new List<TransferView>();
        foreach (var transferId in transferIds) views.Add(await WaitForCompletionAsync(target, transferId, cancellationToken));
        // the old sessions are closed shortly after each re-enrolment; the run ends once that happened (behind an external
        // broker, which closes nothing for the service, after the 10 s)
        await online.WaitForCutOffAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return [enrol, Judge(outcomes, elapsed, views)];
    }

    /// <summary>
    /// The transfer report: each device's outcome, failed too when its transfer view does not say <c>Reenrolled</c>,
    /// and an error per transfer that is not <c>Completed</c>.
    /// </summary>
    public static ScenarioReport Judge(IReadOnlyList<DeviceOutcome> outcomes, TimeSpan elapsed, IReadOnlyList<TransferView> views)
    {
        var states = views.SelectMany(v => v.Devices).ToDictionary(d => d.DeviceId, d => d.State, StringComparer.Ordinal);
        var judged = outcomes.Select(o => !o.Succeeded || states.GetValueOrDefault(o.DeviceId) == "Reenrolled" ? o
            : o with { Succeeded = false, Error = $"transfer view: {states.GetValueOrDefault(o.DeviceId) ?? "absent"}" }).ToList();
        var report = ScenarioReport.From("transfer", judged, elapsed);
        var unfinished = views.Where(v => v.State != "Completed").GroupBy(v => $"transfer {v.State}").ToDictionary(g => g.Key, g => g.Count());
        return unfinished.Count == 0 ? report : report with { Errors = report.Errors.Concat(unfinished).ToDictionary() };
    }

    /// <summary>The fleet's tenant id, once its key is known to be owner-admin (the role that may create transfers).</summary>
    private static async Task<string> CheckSourceKeyAsync(IotIdClient source, CancellationToken cancellationToken)
    {
        try
        {
            var tenant = (await source.GetOwnTenantAsync(cancellationToken)).Value.TenantId;
            await source.ListApiKeysAsync(cancellationToken); // owner-admin only: a weaker key is refused 403 here, before anything changes
            return tenant;
        }
        catch (IotIdApiException e) when (e.Status is 401 or 403)
        {
            throw new ArgumentException($"the transfer scenario needs an owner-admin key of the fleet's tenant (--api-key); the service answered {e.Message}");
        }
    }

    /// <summary>How long devices have to re-enrol: two minutes plus two seconds per device sharing an swtpm.</summary>
    private static TimeSpan Patience(ScenarioContext context) =>
        TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(2.0 * context.Fleet.Devices.Count / context.Fleet.Swtpms.Count);

    /// <summary>The transfer's view once it is Completed, or as it is after 30 s more (the saga records the last re-enrolments).</summary>
    private static async Task<TransferView> WaitForCompletionAsync(IotIdClient target, string transferId, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var view = (await target.GetTransferAsync(transferId, cancellationToken)).Value;
            if (view.IsFinished || DateTime.UtcNow > deadline) return view;
            await Task.Delay(250, cancellationToken);
        }
    }
}
