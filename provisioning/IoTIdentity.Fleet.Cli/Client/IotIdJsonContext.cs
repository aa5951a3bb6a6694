using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>Source-generated JSON for every shape the CLI reads or writes: camelCase, nulls left out of requests.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(CreatedTenant))]
[JsonSerializable(typeof(TenantView))]
[JsonSerializable(typeof(Page<TenantView>))]
[JsonSerializable(typeof(TenantQuota))]
[JsonSerializable(typeof(SetManufacturerRootsRequest))]
[JsonSerializable(typeof(Page<ApiKeyView>))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(EnrollmentGroup))]
[JsonSerializable(typeof(Page<string>))]
[JsonSerializable(typeof(IndividualEnrollment))]
[JsonSerializable(typeof(Page<DeviceSummary>))]
[JsonSerializable(typeof(DeviceDetails))]
[JsonSerializable(typeof(RevokeRequest))]
[JsonSerializable(typeof(CertificateView))]
[JsonSerializable(typeof(CreateTransferRequest))]
[JsonSerializable(typeof(AcceptTransferRequest))]
[JsonSerializable(typeof(TransferView))]
[JsonSerializable(typeof(Page<TransferView>))]
[JsonSerializable(typeof(OwnershipDocumentSummary))]
[JsonSerializable(typeof(Page<AuditEntryView>))]
[JsonSerializable(typeof(AuditVerification))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class IotIdJsonContext : JsonSerializerContext;
