using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.Protocol.Management;

/// <summary>
/// Source-generated JSON for every record of the management API: camelCase (the service's web defaults), nulls left
/// out of what a client writes, indented for people reading a client's output. Role, state and fault names travel as
/// strings, as the service writes its enums.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(CreatedTenant))]
[JsonSerializable(typeof(TenantView))]
[JsonSerializable(typeof(Page<TenantView>))]
[JsonSerializable(typeof(TenantQuota))]
[JsonSerializable(typeof(ManufacturerRootsRequest))]
[JsonSerializable(typeof(ApiKeyView))]
[JsonSerializable(typeof(Page<ApiKeyView>))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(EnrollmentGroup))]
[JsonSerializable(typeof(Page<string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IndividualEnrollment))]
[JsonSerializable(typeof(DeviceSummary))]
[JsonSerializable(typeof(Page<DeviceSummary>))]
[JsonSerializable(typeof(DeviceDetails))]
[JsonSerializable(typeof(RevokeRequest))]
[JsonSerializable(typeof(CertificateView))]
[JsonSerializable(typeof(CreateTransferRequest))]
[JsonSerializable(typeof(AcceptTransferRequest))]
[JsonSerializable(typeof(TransferView))]
[JsonSerializable(typeof(Page<TransferView>))]
[JsonSerializable(typeof(OwnershipDocumentSummary))]
[JsonSerializable(typeof(AuditEntryView))]
[JsonSerializable(typeof(Page<AuditEntryView>))]
[JsonSerializable(typeof(AuditVerification))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(TokenPolicyView))]
[JsonSerializable(typeof(FederationView))]
[JsonSerializable(typeof(IReadOnlyList<FederationView>))]
[JsonSerializable(typeof(TokenKeyView))]
[JsonSerializable(typeof(IReadOnlyList<TokenKeyView>))]
public sealed partial class ManagementJson : JsonSerializerContext;
