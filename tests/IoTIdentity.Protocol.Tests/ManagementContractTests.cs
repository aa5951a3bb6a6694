using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Protocol.Tests;

/// <summary>
/// The management API's records: each one goes through the source-generated context and back unchanged, and the
/// names on the wire are the ones the service writes (camelCase properties, enum names as strings).
/// </summary>
public sealed class ManagementContractTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly ManagementJson Json = ManagementJson.Default;

    private static readonly TransferView Transfer = new()
    {
        TransferId = "0123456789abcdef0123456789abcdef", SourceTenantId = "acme", TargetTenantId = "globex", State = "Accepted",
        CreatedAt = T0, ExpiresAt = T0.AddHours(72), AcceptedAt = T0.AddHours(1), CompletedAt = null,
        RevokeOldCertificateAt = TransferPolicies.Reenrollment, GroupId = "sensors",
        Devices = [new TransferDevice("device-1", "CommandSent", T0.AddHours(1), null, null), new TransferDevice("device-2", "Reenrolled", T0.AddHours(2), "0a1b", null)],
        Counts = new TransferCounts(0, 1, 1, 0),
    };

    private static readonly AuditEntryView Audit = new("acme", 7,
        new AuditEventView("enrol", "device-1", "allowed", new string('a', 64), "device-1", T0, new Dictionary<string, string> { ["serial"] = "0a1b" }),
        new string('0', 64), new string('f', 64));

    /// <summary>One sample of every record, with the context's metadata for it.</summary>
    private static readonly IReadOnlyDictionary<Type, (object Sample, JsonTypeInfo Info)> Samples = new (object, JsonTypeInfo)[]
    {
        (new ApiProblem { Status = 404, Title = "NotFound", Detail = "no such device", Error = "NotFound", Reason = "gone" }, Json.ApiProblem),
        (new Page<string>(["default", "sensors"], "token"), Json.PageString),
        (new TenantQuota(500), Json.TenantQuota),
        (new OwnerCaUpload("-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----"), Json.OwnerCaUpload),
        (new CreateTenantRequest("acme", "Acme", new TenantQuota(10), new OwnerCaUpload("cert", "key")), Json.CreateTenantRequest),
        (new CreatedTenant("acme", "Acme", "iotid.acme.k1.secret", "issuing", "root"), Json.CreatedTenant),
        (new ManufacturerRootView(new string('c', 64), "CN=Root", T0), Json.ManufacturerRootView),
        (new TenantView("acme", "Acme", new TenantQuota(null), 3, "issuing", "root", "ownership", [new ManufacturerRootView("ab", "CN=Root", T0)], true, T0), Json.TenantView),
        (new ManufacturerRootsRequest(["pem-1", "pem-2"]), Json.ManufacturerRootsRequest),
        (new CreateApiKeyRequest("ci", "Operator"), Json.CreateApiKeyRequest),
        (new CreatedApiKey("k2", "iotid.acme.k2.secret", "Operator"), Json.CreatedApiKey),
        (new ApiKeyView("k1", "bootstrap", "OwnerAdmin", T0, T0.AddDays(1), null), Json.ApiKeyView),
        (new EnrollmentGroup
        {
            TrustedRootsPem = ["pem"], PcrIndices = [0, 7], AllowedPcrValues = new Dictionary<int, IReadOnlyList<string>> { [7] = ["00ff"] },
            CertificateLifetimeSeconds = 3600, Quota = 5, Enabled = false, IndividualOnly = true, DeviceCount = 2,
            AllowedFirmware = [JsonDocument.Parse("""{"product":"acme-sensor","version":"1.1.0","components":[],"expectedPcrs":{"4":"ab"}}""").RootElement],
        }, Json.EnrollmentGroup),
        (new IndividualEnrollment("sensors", false), Json.IndividualEnrollment),
        (new DeviceSummary("acme", "device-1", "Active", "acme-sensor 1.1.0", "0a1b", T0.AddDays(30), true, T0, "sensors", T0.AddHours(2), true, ["floor=2", "site:berlin"]),
            Json.DeviceSummary),
        (new DeviceTagsRequest(["site:berlin"]), Json.DeviceTagsRequest),
        (new IndividualEnrollmentView("device-1", "sensors", true, false), Json.IndividualEnrollmentView),
        (new IndividualEnrollmentImportRow(EkCertificate: "MIIB", GroupId: "sensors", Enabled: false), Json.IndividualEnrollmentImportRow),
        (new IndividualEnrollmentImport([new IndividualEnrollmentImportRow("device-1")], "sensors"), Json.IndividualEnrollmentImport),
        (new IndividualEnrollmentImportResult(2, null, "refused", "MalformedRequest", "a row needs a deviceId or an ekCertificate"), Json.IndividualEnrollmentImportResult),
        (new IndividualEnrollmentImportReport(1, 0, [new IndividualEnrollmentImportResult(1, "device-1", "enrolled")]), Json.IndividualEnrollmentImportReport),
        (new DeviceDetails
        {
            DeviceId = "device-1", TenantId = "acme", Status = "Active", GroupId = "sensors", CertificateSerial = "0a1b", CertificateNotAfter = T0.AddDays(30),
            EnrolledAt = T0, LastAttestedAt = T0.AddHours(1), Pcrs = new Dictionary<int, string> { [0] = "00", [7] = "ff" }, PastSerials = ["09"],
            Firmware = "acme-sensor 1.1.0", Compliant = false, Tpm = "id:53575450/1.3.6.1.4.1.99999.1/0a0b", Links = [new DeviceLinkView("device-2", "ek-certificates")],
            Tags = ["site:berlin"], LastSeenAt = T0.AddHours(3), Connected = true, ReattestRequestedAt = T0.AddHours(2),
            Reattest = new ReattestStatus(T0.AddHours(2), ReattestStatus.Failed, T0.AddHours(2.5), "PcrMismatch: PCR 0 not allowed"),
            QuarantineFindingId = "f-3", QuarantinedSince = T0.AddHours(2.5),
        }, Json.DeviceDetails),
        (new ReattestResult("device-1", "sent", T0.AddHours(2)), Json.ReattestResult),
        (new ReattestStatus(T0.AddHours(2), ReattestStatus.Attested, T0.AddHours(2.1)), Json.ReattestStatus),
        (new DeviceAttestation
        {
            At = T0.AddHours(1), Mode = "renew", SerialNumber = "0a1b", Firmware = "acme-sensor 1.1.0", Pcrs = new Dictionary<int, string> { [0] = "00", [7] = "ff" },
            TpmFirmwareVersion = 0x2000_0001,
        }, Json.DeviceAttestation),
        (new DeviceLinkView("device-2", "operator"), Json.DeviceLinkView),
        (new DeviceLinkRequest("device-2"), Json.DeviceLinkRequest),
        (new OwnershipVoucher(new string('a', 64), new string('b', 64), "c2lnbmF0dXJl", ["-----BEGIN CERTIFICATE-----"]), Json.OwnershipVoucher),
        (new OwnershipVoucherView(new string('a', 64), new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)), Json.OwnershipVoucherView),
        (new RevokeRequest("keyCompromise"), Json.RevokeRequest),
        (new CertificateView("0a1b", "device-1", T0, T0.AddDays(30), true, "superseded", T0.AddDays(1)), Json.CertificateView),
        (new CreateTransferRequest("globex", ["device-1", "device-2"], TransferPolicies.Acceptance, 24), Json.CreateTransferRequest),
        (new AcceptTransferRequest("sensors"), Json.AcceptTransferRequest),
        (Transfer.Devices[1], Json.TransferDevice),
        (Transfer.Counts!, Json.TransferCounts),
        (Transfer, Json.TransferView),
        (new OwnershipDocumentSummary("device-1", [new OwnershipEntrySummary(1, "acme", "globex", T0, "acme")]), Json.OwnershipDocumentSummary),
        (new OwnershipEntrySummary(2, "globex", null, T0.AddDays(1), "globex"), Json.OwnershipEntrySummary),
        (Audit.Event, Json.AuditEventView),
        (Audit, Json.AuditEntryView),
        (new AuditVerification(false, 9, 8, "HashMismatch", "entry 8 was altered"), Json.AuditVerification),
        (new FindingView
        {
            Id = "f-3", Kind = "CloneSuspected", Severity = "Critical", State = "Acknowledged", Key = "device-1", Devices = ["device-1"],
            Evidence = new Dictionary<string, string> { ["addresses"] = "10.0.0.1, 10.0.0.2" }, AuditSequences = [7, 9], FirstSeen = T0, LastSeen = T0.AddMinutes(2),
            Count = 2, Remediation = "quarantine", StateChangedBy = "api-key:k1", StateChangedAt = T0.AddMinutes(5),
        }, Json.FindingView),
        (new MonitoringPolicyView
        {
            AttestationFailureThreshold = 7, RetryWindow = TimeSpan.FromMinutes(2), Remediation = new Dictionary<string, string> { ["CloneSuspected"] = "Quarantine" },
            RevocationReason = "superseded", MaxActionsPerInterval = 3, Version = 4,
        }, Json.MonitoringPolicyView),
        (new CreateWebhookRequest("https://hooks.example/iotid", "High"), Json.CreateWebhookRequest),
        (new CreatedWebhook("wh-01ab", "https://hooks.example/iotid", "High", "c2VjcmV0"), Json.CreatedWebhook),
        (new WebhookView("wh-01ab", "https://hooks.example/iotid", "Low", T0), Json.WebhookView),
        (new WebhookDeliveryView("wh-01ab", "f-3", "0123", 2, 204, true, null, T0), Json.WebhookDeliveryView),
        (new KeyRewrapResult("kek-2", 3, 9), Json.KeyRewrapResult),
        (new CallerView("acme", "k1", "Auditor"), Json.CallerView),
        (new TokenPolicyView
        {
            Audiences = new Dictionary<string, IReadOnlyList<string>> { ["https://readings.example"] = ["readings:read"], ["https://ota.example"] = [] },
            RequireMeasuredBootCompliant = true, MinimumFirmwareRelease = "acme-sensor 1.1.0", MaxAttestationAgeSeconds = 86400,
            DefaultLifetimeSeconds = 300, MaxLifetimeSeconds = 3600, Version = 2,
        }, Json.TokenPolicyView),
        (new TokenKeyView("kid-1", T0, T0.AddDays(1), T0.AddDays(2), "retired"), Json.TokenKeyView),
        (new TenantCaView("-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----",
            [new IssuingCaView("0a1b", "pem-new", T0.AddDays(365), "current"), new IssuingCaView("0c2d", "pem-old", T0.AddDays(30), "retired", T0, T0.AddDays(30))]),
            Json.TenantCaView),
        (new IssuingCaView("0c2d", "pem-old", T0.AddDays(30), "retired", T0, T0.AddDays(30)), Json.IssuingCaView),
        (new FederationView
        {
            Name = "vendor-x", BundleUrl = "https://spire.vendor-x.example/bundle", CreatedAt = T0, BundleFetchedAt = T0, BundleExpiresAt = T0.AddDays(1),
            NextRefreshAt = T0.AddMinutes(1), LastRefreshAttemptAt = T0.AddMinutes(5), LastRefreshError = "the bundle URL answered 503, not 200", RefreshFailures = 1,
        }, Json.FederationView),
    }.ToDictionary(s => s.Item1.GetType(), s => s);

    public static TheoryData<string> Records() => [.. Samples.Keys.Select(Name)];

    [Theory]
    [MemberData(nameof(Records))]
    public void A_management_record_round_trips_through_the_source_generated_context(string record)
    {
        var (sample, info) = Samples.Single(s => Name(s.Key) == record).Value;

        var json = JsonSerializer.Serialize(sample, info);
        var back = JsonSerializer.Deserialize(json, info);

        Assert.NotNull(back);
        Assert.IsType(sample.GetType(), back);
        Assert.Equal(json, JsonSerializer.Serialize(back, info));
        Assert.Equal(Flat(JsonNode.Parse(json)!), Flat(JsonSerializer.SerializeToNode(sample, info)!));
    }

    [Fact]
    public void Every_public_record_of_the_management_contract_has_a_round_trip_sample()
    {
        var records = typeof(ManagementJson).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(ManagementJson).Namespace && t.GetMethod("<Clone>$") is not null)
            .Where(t => t != typeof(ApiResult<>) && t != typeof(DeviceFilter) && t != typeof(AuditFilter) && t != typeof(ComplianceReportFile)) // the client's own: never on the wire
            .Select(t => t.IsGenericTypeDefinition ? t.MakeGenericType(typeof(string)) : t);

        Assert.Empty(records.Where(t => !Samples.ContainsKey(t)).Select(Name));
    }

    [Fact]
    public void A_tenant_travels_with_the_property_names_the_service_writes()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Samples[typeof(TenantView)].Sample, Json.TenantView))!.AsObject();

        Assert.Equal(["tenantId", "name", "quota", "deviceCount", "issuingCaCertificatePem", "rootCertificatePem", "ownershipPublicKeyPem",
            "trustedManufacturerRoots", "ownCa", "createdAt"], json.Select(p => p.Key));
        Assert.Equal(["thumbprint", "subject", "notAfter"], json["trustedManufacturerRoots"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal("2026-11-01T10:00:00+00:00", json["createdAt"]!.GetValue<string>());
    }

    [Fact]
    public void A_transfer_keeps_the_service_property_order_and_leaves_its_finished_flag_off_the_wire()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Transfer, Json.TransferView))!.AsObject();

        Assert.Equal(["transferId", "sourceTenantId", "targetTenantId", "state", "createdAt", "expiresAt", "acceptedAt", "revokeOldCertificateAt",
            "groupId", "devices", "counts"], json.Select(p => p.Key));
        Assert.Equal(["deviceId", "state", "updatedAt", "newSerialNumber"], json["devices"]![1]!.AsObject().Select(p => p.Key));
        Assert.Equal(["pending", "commandSent", "reenrolled", "failed"], json["counts"]!.AsObject().Select(p => p.Key));
        Assert.False(Transfer.IsFinished);
    }

    [Fact]
    public void Roles_states_and_faults_read_from_the_service_JSON_as_their_names()
    {
        var key = JsonSerializer.Deserialize("""{"keyId":"k1","name":null,"role":"OwnerAdmin","createdAt":"2026-11-01T00:00:00Z","lastUsedAt":null,"revokedAt":null}""", Json.ApiKeyView)!;
        var device = JsonSerializer.Deserialize("""{"deviceId":"d","tenantId":"acme","status":"Transferring","pcrs":{"0":"00"},"pastSerials":[],"compliant":true}""", Json.DeviceDetails)!;
        var verification = JsonSerializer.Deserialize("""{"isValid":true,"entriesChecked":3,"firstBrokenSequence":null,"fault":"None","reason":null}""", Json.AuditVerification)!;

        Assert.Equal("OwnerAdmin", key.Role);
        Assert.Equal("Transferring", device.Status);
        Assert.Equal("00", device.Pcrs![0]);
        Assert.Equal("None", verification.Fault);
    }

    [Fact]
    public void A_transfer_request_left_without_policy_or_expiry_takes_the_service_defaults()
    {
        var request = JsonSerializer.Deserialize("""{"targetTenantId":"globex","deviceIds":["d"]}""", Json.CreateTransferRequest)!;

        Assert.Equal(TransferPolicies.Reenrollment, request.RevokeOldCertificateAt);
        Assert.Equal(72, request.ExpiresInHours);
    }

    private static string Name(Type type) => type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(",", type.GenericTypeArguments.Select(Name))}>" : type.Name;

    private static string Flat(JsonNode node) => node.ToJsonString();

    [Fact]
    public void A_documents_owners_in_order_are_the_first_owner_then_each_hand_overs_new_owner()
    {
        var summary = new OwnershipDocumentSummary("device-1",
        [
            new OwnershipEntrySummary(3, "globex", "initech", T0.AddDays(2), "globex"),
            new OwnershipEntrySummary(1, "acme", null, T0, "acme"),
            new OwnershipEntrySummary(2, "acme", "globex", T0.AddDays(1), "acme"),
        ]);

        Assert.Equal(["acme", "globex", "initech"], summary.OwnersInOrder());
        Assert.Empty(new OwnershipDocumentSummary("device-1", []).OwnersInOrder());
    }
}
