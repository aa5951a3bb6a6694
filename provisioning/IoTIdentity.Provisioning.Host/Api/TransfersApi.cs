using System.Globalization;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Ownership transfers: the source creates one over up to <see cref="MaxDevices"/> of its devices, the target accepts
/// (or either side cancels while pending), both follow per-device progress. A transfer the caller is not part of
/// answers like a missing one.
/// </summary>
public static class TransfersApi
{
    /// <summary>The most devices one transfer carries.</summary>
    public const int MaxDevices = 1000;

    /// <summary>Maps <c>/api/v1/transfers</c>.</summary>
    public static IEndpointRouteBuilder MapTransfersApi(this IEndpointRouteBuilder routes)
    {
        var transfers = routes.MapGroup("/api/v1/transfers").WithTags("Transfers");
        transfers.MapPost("/", Create).RequireApiKey(ApiRole.OwnerAdmin);
        transfers.MapGet("/", List).RequireApiKey(ApiRole.Auditor);
        transfers.MapGet("/{transferId}", Get).RequireApiKey(ApiRole.Auditor);
        transfers.MapPost("/{transferId}/accept", Accept).RequireApiKey(ApiRole.OwnerAdmin);
        transfers.MapPost("/{transferId}/cancel", Cancel).RequireApiKey(ApiRole.OwnerAdmin);
        return routes;
    }

    private static async Task<Results<Created<Contract.TransferView>, ProblemHttpResult>> Create(CreateTransferRequest body, HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        if (Problem(body) is { } problem) return Problems.For(ProvisioningError.MalformedRequest, problem);
        if (body.TargetTenantId == caller.TenantId) return Problems.For(ProvisioningError.MalformedRequest, "the target is the caller's own tenant");
        var transferId = Guid.NewGuid().ToString("N");
        var result = await grains.GetGrain<ITransferGrain>(transferId).CreateAsync(new TransferRequest
        {
            SourceTenantId = caller.TenantId, TargetTenantId = body.TargetTenantId!, DeviceIds = body.DeviceIds!,
            RevokeAtAcceptance = body.RevokeOldCertificateAt == TransferPolicies.Acceptance,
            ExpiresIn = TimeSpan.FromHours(body.ExpiresInHours ?? 72), Actor = caller.Actor,
        });
        return result.View is { } view ? TypedResults.Created($"/api/v1/transfers/{transferId}", view.ToContract()) : Problems.For(result.Error!.Value, result.Detail);
    }

    private static async Task<Results<Ok<Page<Contract.TransferView>>, ProblemHttpResult>> List(HttpContext http, IGrainFactory grains,
        string? direction = null, string? state = null, int pageSize = 100, string? continuationToken = null)
    {
        var caller = Caller.Of(http);
        if (direction is not (null or "outgoing" or "incoming")) return Problems.For(ProvisioningError.MalformedRequest, "direction is outgoing or incoming");
        TransferStatus? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<TransferStatus>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problems.For(ProvisioningError.MalformedRequest, "state is Pending, Accepted, Completed, Cancelled or Expired");
            wanted = parsed;
        }
        if (pageSize is < 1 or > 1000) return Problems.For(ProvisioningError.MalformedRequest, "pageSize is 1..1000");
        var start = 0;
        if (continuationToken is not null && (!int.TryParse(continuationToken, NumberStyles.None, CultureInfo.InvariantCulture, out start)))
            return Problems.For(ProvisioningError.MalformedRequest, "bad continuationToken");

        var index = await grains.GetGrain<ITransferIndexGrain>(caller.TenantId).ListAsync();
        var items = new List<Contract.TransferView>();
        var position = start;
        for (; position < index.Count && items.Count < pageSize; position++)
        {
            var entry = index[position];
            if (direction is not null && entry.Outgoing != (direction == "outgoing")) continue;
            var view = await grains.GetGrain<ITransferGrain>(entry.TransferId).GetAsync(caller.TenantId);
            if (view is not null && (wanted is null || view.State == wanted)) items.Add(view.ToContract());
        }
        var next = position < index.Count ? position.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<Contract.TransferView>(items, next));
    }

    private static async Task<Results<Ok<Contract.TransferView>, ProblemHttpResult>> Get(string transferId, HttpContext http, IGrainFactory grains)
    {
        if (!IsTransferId(transferId)) return Problems.For(ProvisioningError.NotFound);
        var view = await grains.GetGrain<ITransferGrain>(transferId).GetAsync(Caller.Of(http).TenantId);
        return view is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(view.ToContract());
    }

    private static async Task<Results<Ok<Contract.TransferView>, ProblemHttpResult>> Accept(string transferId, AcceptTransferRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (!IsTransferId(transferId)) return Problems.For(ProvisioningError.NotFound);
        if (body?.GroupId is { } group && !TenantIds.IsValid(group)) return Problems.For(ProvisioningError.NotFound, $"group {body.GroupId} not found");
        var caller = Caller.Of(http);
        return Answer(await grains.GetGrain<ITransferGrain>(transferId).AcceptAsync(caller.TenantId, body?.GroupId, caller.Actor));
    }

    private static async Task<Results<Ok<Contract.TransferView>, ProblemHttpResult>> Cancel(string transferId, HttpContext http, IGrainFactory grains)
    {
        if (!IsTransferId(transferId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        return Answer(await grains.GetGrain<ITransferGrain>(transferId).CancelAsync(caller.TenantId, caller.Actor));
    }

    private static Results<Ok<Contract.TransferView>, ProblemHttpResult> Answer(TransferResult result) =>
        result.View is { } view ? TypedResults.Ok(view.ToContract()) : Problems.For(result.Error!.Value, result.Detail);

    private static bool IsTransferId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    /// <summary>What is wrong with a <c>POST /api/v1/transfers</c> body, or null.</summary>
    private static string? Problem(CreateTransferRequest body)
    {
        if (body.TargetTenantId is null || !TenantIds.IsValid(body.TargetTenantId)) return "targetTenantId is required: [a-z0-9-], at most 64";
        if (body.DeviceIds is null || body.DeviceIds.Count is < 1 or > MaxDevices) return $"deviceIds holds 1..{MaxDevices} device ids";
        if (body.DeviceIds.Any(id => !Protocol.DeviceIds.IsValid(id))) return "deviceIds holds an invalid device id";
        if (body.DeviceIds.Distinct(StringComparer.Ordinal).Count() != body.DeviceIds.Count) return "deviceIds holds a device twice";
        if (body.RevokeOldCertificateAt is not (null or TransferPolicies.Acceptance or TransferPolicies.Reenrollment)) return "revokeOldCertificateAt is acceptance or reenrollment";
        if (body.ExpiresInHours is < 1 or > 720) return "expiresInHours is 1..720";
        return null;
    }
}
