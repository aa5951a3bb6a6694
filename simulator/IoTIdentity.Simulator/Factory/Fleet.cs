using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.Enrollment.Tls;
using IoTIdentity.Simulator.Emulation;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Simulator.Factory;

/// <summary>One virtual device: which swtpm it lives on and the <c>unique</c> value that gives it its own EK there.</summary>
public sealed record FleetDevice(int Index, int Slot, byte[] Unique, byte[] EkCertificate, string DeviceId, EkAlgorithm Ek = EkAlgorithm.Ecc);

/// <summary>
/// A manufactured fleet: a pool of swtpm processes (their state kept in the fleet directory) and, per device, an
/// EK derived from the TCG ECC P-256 (default) or RSA 2048 template with a distinct <c>unique</c> value and an EK
/// certificate from the simulator's <see cref="ManufacturerCa"/>. <c>fleet.json</c> records the devices so a second
/// run reuses them.
/// </summary>
public sealed class Fleet : IAsyncDisposable
{
    private readonly SemaphoreSlim[] _slotLocks;
    private readonly IReadOnlyDictionary<string, EmulatedTpm>? _emulated;

    private Fleet(string directory, ManufacturerCa manufacturer, IReadOnlyList<SwtpmProcess> swtpms, IReadOnlyList<FleetDevice> devices,
        IReadOnlyDictionary<string, EmulatedTpm>? emulated = null)
    {
        Directory = directory;
        Manufacturer = manufacturer;
        Swtpms = swtpms;
        Devices = devices;
        _slotLocks = swtpms.Select(_ => new SemaphoreSlim(1, 1)).ToArray();
        _emulated = emulated;
    }

    /// <summary>Whether the devices' TPMs are in-process emulators (<see cref="CreateEmulated"/>) rather than swtpm processes.</summary>
    public bool IsEmulated => _emulated is not null;

    /// <summary>
    /// How many device flows may hold an MQTT connection at once: four per swtpm (enough to keep each busy), or
    /// every device of an emulated fleet (its TPMs never make a flow wait).
    /// </summary>
    public int ConcurrentFlows => _emulated is null ? Scenarios.DeviceRunner.ConnectionsPerSwtpm * Swtpms.Count : Math.Max(1, Devices.Count);

    /// <summary>Where the fleet lives.</summary>
    public string Directory { get; }

    /// <summary>The manufacturer whose root the target tenant must trust.</summary>
    public ManufacturerCa Manufacturer { get; }

    /// <summary>The swtpm pool.</summary>
    public IReadOnlyList<SwtpmProcess> Swtpms { get; }

    /// <summary>The devices.</summary>
    public IReadOnlyList<FleetDevice> Devices { get; }

    private readonly Dictionary<int, byte[]> _eventLogs = [];

    /// <summary>The firmware release the pool booted, if any (<see cref="BootAsync"/>).</summary>
    public FirmwareManifest? Firmware { get; private set; }

    /// <summary>The enrolment scope of the tenant the fleet enrols into (its <c>GET /api/v1/tenant</c>), named in every register; null names none.</summary>
    public string? EnrollmentScope { get; set; }

    /// <summary>The enrolment options of a device: its EK template and certificate, its TPM's boot event log, and the fleet's scope.</summary>
    public TpmEnrollmentOptions OptionsFor(FleetDevice device) => new()
    {
        EkTemplate = IsEmulated ? Template(device.Ek) : EkTemplates.WithUnique(Template(device.Ek), device.Unique),
        EkCertificate = device.EkCertificate,
        EventLog = _eventLogs.GetValueOrDefault(device.Slot),
        EnrollmentScope = EnrollmentScope,
    };

    /// <summary>
    /// Measured boot of every swtpm in the pool: a reset (PCRs back to zero), then each component of
    /// <paramref name="manifest"/> extended into its PCR, and the event log kept for the devices on that swtpm —
    /// every virtual device on one swtpm booted the same firmware.
    /// </summary>
    public async Task BootAsync(FirmwareManifest manifest, string releaseDirectory, CancellationToken cancellationToken)
    {
        for (var slot = 0; slot < Swtpms.Count; slot++)
        {
            var log = await RunOnSlotAsync(slot, async tpm =>
            {
                await Swtpms[slot].Transport.ResetAsync(cancellationToken);
                await tpm.ExecuteAsync(new Startup(TpmSu.Clear), [], cancellationToken);
                return await MeasuredBoot.BootAsync(tpm, manifest, releaseDirectory, cancellationToken: cancellationToken);
            }, cancellationToken);
            _eventLogs[slot] = log;
        }
        Firmware = manifest;
    }

    /// <summary>A TPM client for a slot; use it only inside <see cref="RunOnSlotAsync{T}"/>.</summary>
    public TpmClient Tpm(int slot) => new(Swtpms[slot].Transport, ownsTransport: false);

    /// <summary>Runs a device flow on its swtpm, one flow per swtpm at a time (a TPM holds few loaded objects).</summary>
    public async Task<T> RunOnSlotAsync<T>(int slot, Func<TpmClient, Task<T>> flow, CancellationToken cancellationToken)
    {
        await _slotLocks[slot].WaitAsync(cancellationToken);
        try
        {
            return await flow(Tpm(slot));
        }
        finally
        {
            _slotLocks[slot].Release();
        }
    }

    /// <summary>
    /// The client certificate of <paramref name="device"/>'s authenticated session: its device certificate with the
    /// certified key, when that key can sign a TLS handshake in this process (an emulated TPM's); null for a swtpm device,
    /// whose key only the TPM can use (<see cref="TpmClientCertificate"/>).
    /// </summary>
    public X509Certificate2? ClientCertificate(FleetDevice device, EnrollmentResult identity) =>
        _emulated?[device.DeviceId].ClientCertificate(identity.DeviceKey, identity.Issued.CertificateChain[0]);

    /// <summary>
    /// The client certificate of a swtpm <paramref name="device"/>'s authenticated session: its certificate chain, and
    /// its swtpm signing the TLS 1.3 handshake with the certified key (TPM2_Sign, in turn with the other flows on that
    /// swtpm). Null for an emulated device (<see cref="ClientCertificate"/>) and for a device key other than ECC P-256,
    /// which TLS 1.3 cannot use here.
    /// </summary>
    public TpmClientCertificate? TpmClientCertificate(FleetDevice device, EnrollmentResult identity) =>
        _emulated is null && identity.DeviceKey.Public.Value.Parameters is TpmsEccParms { Curve: TpmEccCurve.NistP256 }
            ? new TpmClientCertificate(identity.Issued.CertificateChain, (digest, cancellationToken) => RunOnSlotAsync(device.Slot,
                tpm => new TpmEnrollment(tpm, OptionsFor(device)).SignHandshakeAsync(identity.DeviceKey, identity.SrkTemplate, digest, cancellationToken),
                cancellationToken))
            : null;

    /// <summary>
    /// Runs a device flow on the device's TPM: its emulator at once, or its swtpm in turn with the other flows on
    /// that swtpm (<see cref="RunOnSlotAsync{T}"/>). Either way the flow sees the operations enrolment uses.
    /// </summary>
    public Task<T> RunOnTpmAsync<T>(FleetDevice device, Func<IEnrollmentTpm, Task<T>> flow, CancellationToken cancellationToken) =>
        _emulated is { } emulated
            ? flow(emulated[device.DeviceId])
            : RunOnSlotAsync(device.Slot, tpm => flow(new TpmClientEnrollmentTpm(tpm)), cancellationToken);

    /// <summary>
    /// A fleet of <paramref name="count"/> devices with in-process emulated TPMs (<see cref="EmulatedTpm"/>), each
    /// with a fresh <paramref name="ek"/> EK and its certificate from the manufacturer in <paramref name="directory"/>
    /// (the same manufacturer a swtpm fleet there uses, so the same group trusts both). Nothing is written to
    /// <c>fleet.json</c>: an emulated device lives as long as the process. With <paramref name="prepareEnrolmentKeys"/>
    /// each TPM also makes now the AK and device key pairs of one enrolment on the default templates
    /// (<see cref="EmulatedTpm.PrepareKeys"/>), for a load step whose generator CPU should be the devices' protocol work.
    /// </summary>
    public static Fleet CreateEmulated(string directory, int count, EkAlgorithm ek = EkAlgorithm.Ecc, bool prepareEnrolmentKeys = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        var manufacturer = ManufacturerCa.LoadOrCreate(directory, ManufacturerShape);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var made = new (FleetDevice Device, EmulatedTpm Tpm)[count];
        Parallel.For(0, count, index =>
        {
            var tpm = EmulatedTpm.Create(Template(ek));
            tpm.EkCertificate = IssueEkCertificate(manufacturer, tpm.EkPublic.Value);
            if (prepareEnrolmentKeys) tpm.PrepareKeys([KeyTemplates.AkEccP256, KeyTemplates.DeviceEccP256]);
            made[index] = (new FleetDevice(index, 0, [], tpm.EkCertificate, Protocol.DeviceIds.FromEkPublic(tpm.EkPublic.Raw), ek), tpm);
        });
        return new Fleet(directory, manufacturer, [], made.Select(m => m.Device).ToList(), made.ToDictionary(m => m.Device.DeviceId, m => m.Tpm))
        {
            Manufactured = count, ManufactureTime = clock.Elapsed,
        };
    }

    /// <summary>The simulator manufacturer's shape: ECDSA P-256 keys, EK certificates issued by the root itself.</summary>
    public static readonly ManufacturerCaOptions ManufacturerShape = new()
    {
        Name = "IoTIdentity Simulator TPM Manufacturer", Organization = "IoTIdentity Simulator", EcdsaKeys = true, WithIntermediate = false,
    };

    /// <summary>What the simulator's EK certificates say about the TPM (its SAN).</summary>
    public static readonly EkCertificateProfile EkProfile = new() { Manufacturer = "id:53494D55", Model = "iotid-sim", Version = "id:00010000" };

    /// <summary>The TCG EK template (low range) of an algorithm.</summary>
    public static TpmtPublic Template(EkAlgorithm ek) => ek == EkAlgorithm.Rsa ? EkTemplates.Rsa2048 : EkTemplates.EccP256;

    /// <summary>Issues an EK certificate from <paramref name="ca"/> for an EK public area, RSA or ECC.</summary>
    public static byte[] IssueEkCertificate(ManufacturerCa ca, TpmtPublic ekPublic) => ekPublic.Type == TpmAlgId.Rsa
        ? ca.IssueEkCertificate(TpmPublicKeys.RsaParameters(ekPublic), EkProfile)
        : ca.IssueEkCertificate(TpmPublicKeys.EcParameters(ekPublic), EkProfile);

    /// <summary>Devices manufactured by the last <see cref="LoadOrManufactureAsync"/> (0 when the fleet was reused whole).</summary>
    public int Manufactured { get; private init; }

    /// <summary>How long manufacturing them took (EK creation on the swtpms, EK certificate issuance, fleet.json).</summary>
    public TimeSpan ManufactureTime { get; private init; }

    /// <summary>
    /// Loads the fleet in <paramref name="directory"/> and manufactures devices until there are <paramref name="count"/>,
    /// new ones with <paramref name="ek"/> EKs, spread over <paramref name="slots"/> swtpm processes (one manufacturing
    /// flow per swtpm); <paramref name="progress"/> hears the count of devices made so far.
    /// </summary>
    public static async Task<Fleet> LoadOrManufactureAsync(string directory, int count, int slots, CancellationToken cancellationToken,
        EkAlgorithm ek = EkAlgorithm.Ecc, IProgress<int>? progress = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        var manifest = Path.Combine(directory, "fleet.json");
        var devices = File.Exists(manifest) ? JsonSerializer.Deserialize<List<FleetDevice>>(File.ReadAllText(manifest)) ?? [] : [];
        slots = Math.Max(slots, devices.Count == 0 ? 1 : devices.Max(d => d.Slot) + 1);
        var manufacturer = ManufacturerCa.LoadOrCreate(directory, ManufacturerShape);
        var swtpms = await SwtpmProcess.StartAllAsync(Enumerable.Range(0, slots).Select(slot =>
            new SwtpmOptions { PersistentDirectory = Path.Combine(directory, $"swtpm-{slot}") }), cancellationToken);
        var fleet = new Fleet(directory, manufacturer, swtpms, devices);
        if (devices.Count >= count) return new Fleet(directory, manufacturer, swtpms, devices.Take(count).ToList());
        try
        {
            return await fleet.ManufactureAsync(count, ek, progress, cancellationToken);
        }
        catch
        {
            await fleet.DisposeAsync(); // its swtpms: no caller holds them yet
            throw;
        }
    }

    /// <summary>Manufactures devices until there are <paramref name="count"/>, one flow per swtpm, and records them in fleet.json.</summary>
    private async Task<Fleet> ManufactureAsync(int count, EkAlgorithm ek, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var slots = Swtpms.Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var done = 0;
        var made = await Task.WhenAll(Enumerable.Range(0, slots).Select(slot => RunOnSlotAsync(slot, async tpm =>
        {
            var mine = new List<FleetDevice>();
            for (var index = Devices.Count + slot; index < count; index += slots)
            {
                var unique = RandomNumberGenerator.GetBytes(32);
                var created = await tpm.CreateEkAsync(EkTemplates.WithUnique(Template(ek), unique), cancellationToken: cancellationToken);
                await tpm.FlushAsync(created.ObjectHandle, cancellationToken);
                var certificate = IssueEkCertificate(Manufacturer, created.OutPublic.Value);
                mine.Add(new FleetDevice(index, slot, unique, certificate, Protocol.DeviceIds.FromEkPublic(created.OutPublic.Raw), ek));
                progress?.Report(Interlocked.Increment(ref done));
            }
            return mine;
        }, cancellationToken)));
        var all = Devices.Concat(made.SelectMany(m => m)).OrderBy(d => d.Index).ToList();
        var manifest = Path.Combine(Directory, "fleet.json");
        var temp = manifest + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(all));
        File.Move(temp, manifest, overwrite: true);
        return new Fleet(Directory, Manufacturer, Swtpms, all) { Manufactured = all.Count - Devices.Count, ManufactureTime = clock.Elapsed };
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var swtpm in Swtpms) await swtpm.DisposeAsync();
        foreach (var tpm in _emulated?.Values ?? []) tpm.Dispose();
        Manufacturer.Dispose();
    }
}
