using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace IoTIdentity.Protocol.Management;

/// <summary>
/// The management API over HTTP, one method per route. Every answer comes back typed and with the JSON it was read
/// from (<see cref="ApiResult{T}"/>); a refusal is an <see cref="IotIdApiException"/> carrying the problem details; a
/// service that cannot be reached is an <see cref="IotIdConnectionException"/>. The API key goes in the
/// <c>Authorization</c> header only and is never part of a message.
/// </summary>
public sealed partial class IotIdClient : IDisposable
{
    private static readonly ManagementJson Json = ManagementJson.Default;
    private readonly HttpClient _http;

    /// <summary>A client of the service at <paramref name="baseAddress"/> calling with <paramref name="apiKey"/> (tenant or service admin key).</summary>
    /// <param name="baseAddress">The service, e.g. http://localhost:8080.</param>
    /// <param name="apiKey">The key to call with; null or empty for the public routes only.</param>
    /// <param name="handler">The HTTP handler to send through (default: a new socket handler).</param>
    /// <param name="timeout">How long one request may take (default 100 s).</param>
    public IotIdClient(Uri baseAddress, string? apiKey, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(100);
        if (!string.IsNullOrEmpty(apiKey)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>The service this client calls.</summary>
    public Uri? BaseAddress => _http.BaseAddress;

    // --- service administration (service admin key)

    /// <summary><c>POST /api/v1/tenants</c>: a new tenant and its first owner-admin key.</summary>
    public Task<ApiResult<CreatedTenant>> CreateTenantAsync(CreateTenantRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/tenants", Body(request, Json.CreateTenantRequest), Json.CreatedTenant, cancellationToken);

    /// <summary><c>GET /api/v1/tenants</c>: one page of tenants.</summary>
    public Task<ApiResult<Page<TenantView>>> ListTenantsAsync(int? pageSize = null, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        PageAsync(Query("/api/v1/tenants", ("pageSize", pageSize?.ToString()), ("continuationToken", continuationToken)), Json.TenantView, cancellationToken);

    /// <summary><c>GET /api/v1/tenants/{tenantId}</c>.</summary>
    public Task<ApiResult<TenantView>> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/tenants/{Segment(tenantId)}", null, Json.TenantView, cancellationToken);

    // --- tenant self-service

    /// <summary><c>GET /api/v1/tenant</c>: the caller's own tenant.</summary>
    public Task<ApiResult<TenantView>> GetOwnTenantAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/tenant", null, Json.TenantView, cancellationToken);

    /// <summary><c>GET /api/v1/caller</c>: the calling key's tenant, id and role.</summary>
    public Task<ApiResult<CallerView>> GetCallerAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/caller", null, Json.CallerView, cancellationToken);

    /// <summary><c>GET /api/v1/tenant/ca</c>: the caller's tenant CA, root and issuing CAs, current first (auditor or above).</summary>
    public Task<ApiResult<TenantCaView>> GetTenantCaAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/tenant/ca", null, Json.TenantCaView, cancellationToken);

    /// <summary><c>POST /api/v1/tenant/ca/rotate</c>: rotates the caller's issuing CA (owner-admin): a new one issues from now on, the old one is kept for its CRL.</summary>
    public Task<ApiResult<TenantCaView>> RotateTenantCaAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/tenant/ca/rotate", null, Json.TenantCaView, cancellationToken);

    /// <summary><c>PUT /api/v1/tenant/quota</c>.</summary>
    public Task<string> SetQuotaAsync(TenantQuota quota, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "/api/v1/tenant/quota", Body(quota, Json.TenantQuota), cancellationToken);

    /// <summary><c>PUT /api/v1/tenant/manufacturer-roots</c>: replaces the tenant-wide trusted TPM manufacturer roots.</summary>
    public Task<string> SetManufacturerRootsAsync(ManufacturerRootsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "/api/v1/tenant/manufacturer-roots", Body(request, Json.ManufacturerRootsRequest), cancellationToken);

    /// <summary><c>GET /api/v1/api-keys</c>.</summary>
    public Task<ApiResult<Page<ApiKeyView>>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        PageAsync("/api/v1/api-keys", Json.ApiKeyView, cancellationToken);

    /// <summary><c>POST /api/v1/api-keys</c>: the new key is in the answer, once.</summary>
    public Task<ApiResult<CreatedApiKey>> CreateApiKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/api-keys", Body(request, Json.CreateApiKeyRequest), Json.CreatedApiKey, cancellationToken);

    /// <summary><c>DELETE /api/v1/api-keys/{keyId}</c>.</summary>
    public Task<string> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/api-keys/{Segment(keyId)}", null, cancellationToken);

    // --- enrolments

    /// <summary><c>GET /api/v1/enrollment-groups</c>: the group ids.</summary>
    public Task<ApiResult<Page<string>>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        PageAsync("/api/v1/enrollment-groups", Json.String, cancellationToken);

    /// <summary><c>GET /api/v1/enrollment-groups/{groupId}</c>.</summary>
    public Task<ApiResult<EnrollmentGroup>> GetGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/enrollment-groups/{Segment(groupId)}", null, Json.EnrollmentGroup, cancellationToken);

    /// <summary><c>PUT /api/v1/enrollment-groups/{groupId}</c>: creates or replaces the group.</summary>
    public Task<ApiResult<EnrollmentGroup>> PutGroupAsync(string groupId, EnrollmentGroup group, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"/api/v1/enrollment-groups/{Segment(groupId)}", Body(group, Json.EnrollmentGroup), Json.EnrollmentGroup, cancellationToken);

    /// <summary><c>DELETE /api/v1/enrollment-groups/{groupId}</c>.</summary>
    public Task<string> DeleteGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-groups/{Segment(groupId)}", null, cancellationToken);

    /// <summary><c>GET /api/v1/individual-enrollments/{deviceId}</c>.</summary>
    public Task<ApiResult<IndividualEnrollment>> GetIndividualEnrollmentAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/individual-enrollments/{Segment(deviceId)}", null, Json.IndividualEnrollment, cancellationToken);

    /// <summary><c>PUT /api/v1/individual-enrollments/{deviceId}</c>.</summary>
    public Task<ApiResult<IndividualEnrollment>> PutIndividualEnrollmentAsync(string deviceId, IndividualEnrollment enrollment, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"/api/v1/individual-enrollments/{Segment(deviceId)}", Body(enrollment, Json.IndividualEnrollment), Json.IndividualEnrollment, cancellationToken);

    /// <summary><c>GET /api/v1/individual-enrollments</c>: one page of the tenant's individual enrolments.</summary>
    public Task<ApiResult<Page<IndividualEnrollmentView>>> ListIndividualEnrollmentsAsync(int? pageSize = null, string? continuationToken = null,
        CancellationToken cancellationToken = default) =>
        PageAsync(Query("/api/v1/individual-enrollments", ("pageSize", pageSize?.ToString()), ("continuationToken", continuationToken)),
            Json.IndividualEnrollmentView, cancellationToken);

    /// <summary><c>POST /api/v1/individual-enrollments/import</c>: every row enrolled or refused on its own.</summary>
    public Task<ApiResult<IndividualEnrollmentImportReport>> ImportIndividualEnrollmentsAsync(IndividualEnrollmentImport import, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/individual-enrollments/import", Body(import, Json.IndividualEnrollmentImport), Json.IndividualEnrollmentImportReport,
            cancellationToken);

    /// <summary><c>DELETE /api/v1/individual-enrollments/{deviceId}</c>.</summary>
    public Task<string> DeleteIndividualEnrollmentAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/individual-enrollments/{Segment(deviceId)}", null, cancellationToken);

    // --- ownership vouchers

    /// <summary><c>PUT /api/v1/ownership-vouchers/{deviceId}</c>: the manufacturer-signed voucher that the device is the caller's.</summary>
    public Task<string> PutOwnershipVoucherAsync(string deviceId, OwnershipVoucher voucher, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"/api/v1/ownership-vouchers/{Segment(deviceId)}", Body(voucher, Json.OwnershipVoucher), cancellationToken);

    /// <summary><c>GET /api/v1/ownership-vouchers</c>: one page of the tenant's accepted vouchers.</summary>
    public Task<ApiResult<Page<OwnershipVoucherView>>> ListOwnershipVouchersAsync(int? pageSize = null, string? continuationToken = null,
        CancellationToken cancellationToken = default) =>
        PageAsync(Query("/api/v1/ownership-vouchers", ("pageSize", pageSize?.ToString()), ("continuationToken", continuationToken)),
            Json.OwnershipVoucherView, cancellationToken);

    /// <summary><c>DELETE /api/v1/ownership-vouchers/{deviceId}</c>.</summary>
    public Task<string> DeleteOwnershipVoucherAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/ownership-vouchers/{Segment(deviceId)}", null, cancellationToken);

    // --- devices and certificates

    /// <summary><c>GET /api/v1/devices</c>: one page of the inventory.</summary>
    public Task<ApiResult<Page<DeviceSummary>>> ListDevicesAsync(DeviceFilter filter, int? pageSize = null, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        PageAsync(Query("/api/v1/devices", ("state", filter.State), ("compliant", filter.Compliant?.ToString().ToLowerInvariant()), ("groupId", filter.GroupId),
            ("tag", filter.Tag), ("deviceIdPrefix", filter.DeviceIdPrefix), ("pageSize", pageSize?.ToString()), ("continuationToken", continuationToken)),
            Json.DeviceSummary, cancellationToken);

    /// <summary><c>PUT /api/v1/devices/{deviceId}/tags</c>: replaces the device's tags; the device as it is now.</summary>
    public Task<ApiResult<DeviceDetails>> SetDeviceTagsAsync(string deviceId, IReadOnlyList<string> tags, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"/api/v1/devices/{Segment(deviceId)}/tags", Body(new DeviceTagsRequest(tags), Json.DeviceTagsRequest), Json.DeviceDetails, cancellationToken);

    /// <summary><c>GET /api/v1/devices/{deviceId}</c>.</summary>
    public Task<ApiResult<DeviceDetails>> GetDeviceAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/devices/{Segment(deviceId)}", null, Json.DeviceDetails, cancellationToken);

    /// <summary><c>POST /api/v1/devices/{deviceId}/disable</c> or <c>/enable</c>.</summary>
    public Task<string> SetDeviceDisabledAsync(string deviceId, bool disabled, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/devices/{Segment(deviceId)}/{(disabled ? "disable" : "enable")}", null, cancellationToken);

    /// <summary><c>POST /api/v1/devices/{deviceId}/links</c>: the two devices are one TPM's (linked on both).</summary>
    public Task<string> LinkDeviceAsync(string deviceId, string otherDeviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/devices/{Segment(deviceId)}/links", Body(new DeviceLinkRequest(otherDeviceId), Json.DeviceLinkRequest), cancellationToken);

    /// <summary><c>DELETE /api/v1/devices/{deviceId}/links/{otherDeviceId}</c>: the two are not one TPM's after all.</summary>
    public Task<string> UnlinkDeviceAsync(string deviceId, string otherDeviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/devices/{Segment(deviceId)}/links/{Segment(otherDeviceId)}", null, cancellationToken);

    /// <summary><c>POST /api/v1/devices/{deviceId}/revoke</c>.</summary>
    public Task<string> RevokeDeviceAsync(string deviceId, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/devices/{Segment(deviceId)}/revoke", Body(new RevokeRequest(reason), Json.RevokeRequest), cancellationToken);

    /// <summary><c>GET /api/v1/certificates/{serialNumber}</c>.</summary>
    public Task<ApiResult<CertificateView>> GetCertificateAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/certificates/{Segment(serialNumber)}", null, Json.CertificateView, cancellationToken);

    /// <summary><c>POST /api/v1/certificates/{serialNumber}/revoke</c>.</summary>
    public Task<string> RevokeCertificateAsync(string serialNumber, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/certificates/{Segment(serialNumber)}/revoke", Body(new RevokeRequest(reason), Json.RevokeRequest), cancellationToken);

    // --- transfers and ownership

    /// <summary><c>POST /api/v1/transfers</c>.</summary>
    public Task<ApiResult<TransferView>> CreateTransferAsync(CreateTransferRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/transfers", Body(request, Json.CreateTransferRequest), Json.TransferView, cancellationToken);

    /// <summary><c>GET /api/v1/transfers</c>: one page of the transfers the caller is source or target of.</summary>
    public Task<ApiResult<Page<TransferView>>> ListTransfersAsync(string? direction = null, string? state = null, int? pageSize = null, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        PageAsync(Query("/api/v1/transfers", ("direction", direction), ("state", state), ("pageSize", pageSize?.ToString()), ("continuationToken", continuationToken)),
            Json.TransferView, cancellationToken);

    /// <summary><c>GET /api/v1/transfers/{transferId}</c>.</summary>
    public Task<ApiResult<TransferView>> GetTransferAsync(string transferId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/transfers/{Segment(transferId)}", null, Json.TransferView, cancellationToken);

    /// <summary><c>POST /api/v1/transfers/{transferId}/accept</c>; the answer body as sent (a TransferView, or empty).</summary>
    public Task<string> AcceptTransferAsync(string transferId, string? groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/transfers/{Segment(transferId)}/accept", Body(new AcceptTransferRequest(groupId), Json.AcceptTransferRequest), cancellationToken);

    /// <summary><c>POST /api/v1/transfers/{transferId}/cancel</c>; the answer body as sent.</summary>
    public Task<string> CancelTransferAsync(string transferId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/transfers/{Segment(transferId)}/cancel", null, cancellationToken);

    /// <summary><c>GET /api/v1/devices/{deviceId}/ownership</c>: the ownership document (the JSON is the document, byte for byte as sent).</summary>
    public Task<ApiResult<OwnershipDocumentSummary>> GetOwnershipDocumentAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/devices/{Segment(deviceId)}/ownership", null, Json.OwnershipDocumentSummary, cancellationToken);

    /// <summary><c>GET /api/v1/tenants/{tenantId}/ownership-key</c> (public): the tenant's ownership public key, PEM.</summary>
    public Task<string> GetOwnershipKeyAsync(string tenantId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/tenants/{Segment(tenantId)}/ownership-key", null, cancellationToken);

    // --- audit

    /// <summary><c>GET /api/v1/audit</c>: one page of the caller's audit log.</summary>
    public Task<ApiResult<Page<AuditEntryView>>> QueryAuditAsync(AuditFilter filter, int? pageSize = null, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        PageAsync(AuditQuery("/api/v1/audit", filter, ("pageSize", pageSize?.ToString()), ("continuationToken", continuationToken)), Json.AuditEntryView, cancellationToken);

    /// <summary><c>GET /api/v1/audit/export</c>: the NDJSON export line by line (each line as sent), read as it streams in.</summary>
    public async IAsyncEnumerable<string> ExportAuditAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await CallAsync(new HttpRequestMessage(HttpMethod.Get, AuditQuery("/api/v1/audit/export", filter)), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken);
            }
            catch (IOException e)
            {
                throw new IotIdConnectionException($"the export from {_http.BaseAddress} broke off: {e.Message}", e);
            }
            if (line is null) yield break;
            if (line.Length > 0) yield return line;
        }
    }

    /// <summary><c>GET /api/v1/audit/verify</c>.</summary>
    public Task<ApiResult<AuditVerification>> VerifyAuditAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/audit/verify", null, Json.AuditVerification, cancellationToken);

    /// <summary><c>GET /api/v1/audit/checkpoint</c>: the newest signed checkpoint of the log, or with <paramref name="at"/> (ISO 8601) the newest made by then.</summary>
    public Task<ApiResult<Audit.AuditCheckpoint>> GetAuditCheckpointAsync(string? at = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Query("/api/v1/audit/checkpoint", ("at", at)), null, Json.AuditCheckpoint, cancellationToken);

    /// <summary><c>GET /api/v1/audit/checkpoint-key</c> (public): the key audit checkpoints are signed with.</summary>
    public Task<ApiResult<Audit.AuditCheckpointKey>> GetAuditCheckpointKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/audit/checkpoint-key", null, Json.AuditCheckpointKey, cancellationToken);

    /// <summary><c>POST /api/v1/key-encryption/rewrap</c> (service administrator): reseals every tenant's keys under the current key-encryption key.</summary>
    public Task<ApiResult<KeyRewrapResult>> RewrapKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/key-encryption/rewrap", null, Json.KeyRewrapResult, cancellationToken);
    // --- device tokens

    /// <summary><c>GET /api/v1/enrollment-groups/{groupId}/token-policy</c>.</summary>
    public Task<ApiResult<TokenPolicyView>> GetTokenPolicyAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/enrollment-groups/{Segment(groupId)}/token-policy", null, Json.TokenPolicyView, cancellationToken);

    /// <summary><c>PUT /api/v1/enrollment-groups/{groupId}/token-policy</c>: creates or replaces the group's token policy.</summary>
    public Task<ApiResult<TokenPolicyView>> PutTokenPolicyAsync(string groupId, TokenPolicyView policy, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"/api/v1/enrollment-groups/{Segment(groupId)}/token-policy", Body(policy, Json.TokenPolicyView), Json.TokenPolicyView, cancellationToken);

    /// <summary><c>DELETE /api/v1/enrollment-groups/{groupId}/token-policy</c>: the group issues no more tokens.</summary>
    public Task<string> DeleteTokenPolicyAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-groups/{Segment(groupId)}/token-policy", null, cancellationToken);

    /// <summary><c>GET /api/v1/token-keys</c>: the tenant's published token signing keys.</summary>
    public Task<ApiResult<IReadOnlyList<TokenKeyView>>> ListTokenKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/token-keys", null, Json.IReadOnlyListTokenKeyView, cancellationToken);

    /// <summary><c>POST /api/v1/token-keys/rotate</c>: a new signing key; the old one stays published until its tokens expired.</summary>
    public Task<ApiResult<TokenKeyView>> RotateTokenKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/token-keys/rotate", null, Json.TokenKeyView, cancellationToken);

    /// <summary><c>GET /api/v1/federation</c>: the tenant's federation relationships.</summary>
    public Task<ApiResult<IReadOnlyList<FederationView>>> ListFederationAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/federation", null, Json.IReadOnlyListFederationView, cancellationToken);

    /// <summary><c>PUT /api/v1/federation/{name}</c>: trust another tenant, or an external trust domain by bundle URL.</summary>
    public Task<ApiResult<FederationView>> PutFederationAsync(string name, FederationView relationship, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"/api/v1/federation/{Segment(name)}", Body(relationship, Json.FederationView), Json.FederationView, cancellationToken);

    /// <summary><c>POST /api/v1/federation/{name}/refresh</c>: fetch an external domain's bundle again (the stored one is kept on failure).</summary>
    public Task<ApiResult<FederationView>> RefreshFederationAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/federation/{Segment(name)}/refresh", null, Json.FederationView, cancellationToken);

    /// <summary><c>DELETE /api/v1/federation/{name}</c>: relying parties stop trusting it at their next bundle refresh.</summary>
    public Task<string> DeleteFederationAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/federation/{Segment(name)}", null, cancellationToken);

    // --- paging

    /// <summary>Every page of a list, following continuation tokens until the last one.</summary>
    /// <param name="page">Fetches the page for a continuation token (null: the first).</param>
    /// <param name="cancellationToken">Stops between pages.</param>
    public static async IAsyncEnumerable<ApiResult<Page<T>>> AllPagesAsync<T>(Func<string?, Task<ApiResult<Page<T>>>> page,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = await page(token);
            yield return next;
            if (next.Value.ContinuationToken is not null && next.Value.ContinuationToken == token)
                throw new IotIdConnectionException("the service answered the same continuation token twice; stopping rather than looping");
            token = next.Value.ContinuationToken;
        }
        while (token is not null);
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    // --- the HTTP core

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var json = await SendAsync(method, path, content, cancellationToken);
        return new ApiResult<T>(Parse(json, path, root => JsonSerializer.Deserialize(root, type)), json);
    }

    /// <summary>A list route's page; a service that answers a bare array (older routes) is read as one last page.</summary>
    private async Task<ApiResult<Page<T>>> PageAsync<T>(string path, JsonTypeInfo<T> item, CancellationToken cancellationToken)
    {
        var json = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        return new ApiResult<Page<T>>(Parse(json, path, root =>
        {
            if (root.ValueKind == JsonValueKind.Array) return new Page<T>(Items(root, item), null);
            var items = root.TryGetProperty("items", out var i) && i.ValueKind == JsonValueKind.Array ? Items(i, item) : throw new JsonException("no items");
            var token = root.TryGetProperty("continuationToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return new Page<T>(items, token);
        }), json);
    }

    private static List<T> Items<T>(JsonElement array, JsonTypeInfo<T> item) =>
        array.EnumerateArray().Select(e => JsonSerializer.Deserialize(e, item) ?? throw new JsonException("null item")).ToList();

    private T Parse<T>(string json, string path, Func<JsonElement, T?> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return read(document.RootElement) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new IotIdConnectionException($"{_http.BaseAddress} answered {path} with something that is not the IoTIdentity API's JSON ({e.Message})", e);
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(new HttpRequestMessage(method, path) { Content = content }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Sends; a non-success answer becomes <see cref="IotIdApiException"/>, an unreachable service <see cref="IotIdConnectionException"/>.</summary>
    private async Task<HttpResponseMessage> CallAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new IotIdConnectionException($"cannot reach {_http.BaseAddress}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IotIdConnectionException($"{_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s", e);
        }
        finally
        {
            request.Dispose();
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            ApiProblem? problem = null;
            try
            {
                if (body.Length > 0) problem = JsonSerializer.Deserialize(body, Json.ApiProblem);
            }
            catch (JsonException)
            {
                // not problem details (a proxy's page, say): the status alone is the answer
            }
            problem ??= new ApiProblem();
            throw new IotIdApiException(status, problem with { Status = status, Title = problem.Title ?? response.ReasonPhrase ?? $"HTTP {status}" });
        }
    }

    private static StringContent Body<T>(T value, JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(value, type), Encoding.UTF8, "application/json");

    private static string Segment(string id) => Uri.EscapeDataString(id);

    private static string AuditQuery(string path, AuditFilter filter, params (string Name, string? Value)[] more) =>
        Query(path, [("from", filter.From), ("to", filter.To), ("deviceId", filter.DeviceId), ("subject", filter.Subject), ("action", filter.Action), .. more]);

    private static string Query(string path, params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? path : $"{path}?{string.Join('&', present)}";
    }
}
