using System.Globalization;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;

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

    private static async Task<Results<Created<TransferView>, ProblemHttpResult>> Create(CreateTransferBody body, HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        if (body.Problem() is { } problem) return Problems.For(ProvisioningError.MalformedRequest, problem);
        if (body.TargetTenantId == caller.TenantId) return Problems.For(ProvisioningError.MalformedRequest, "the target is the caller's own tenant");
        var transferId = Guid.NewGuid().ToString("N");
        var result = await grains.GetGrain<ITransferGrain>(transferId).CreateAsync(new TransferRequest
        {
            SourceTenantId = caller.TenantId, TargetTenantId = body.TargetTenantId!, DeviceIds = body.DeviceIds!,
            RevokeAtAcceptance = body.RevokeOldCertificateAt == TransferPolicies.Acceptance,
            ExpiresIn = TimeSpan.FromHours(body.ExpiresInHours ?? 72), Actor = caller.Actor,
        });
        return result.View is { } view ? TypedResults.Created($"/api/v1/transfers/{transferId}", view) : Problems.For(result.Error!.Value, result.Detail);
    }

    private static async Task<Results<Ok<TransferPage>, ProblemHttpResult>> List(HttpContext http, IGrainFactory grains,
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
        var items = new List<TransferView>();
        var position = start;
        for (; position < index.Count && items.Count < pageSize; position++)
        {
            var entry = index[position];
            if (direction is not null && entry.Outgoing != (direction == "outgoing")) continue;
            var view = await grains.GetGrain<ITransferGrain>(entry.TransferId).GetAsync(caller.TenantId);
            if (view is not null && (wanted is null || view.State == wanted)) items.Add(view);
        }
        var next = position < index.Count ? position.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new TransferPage(items, next));
    }

    private static async Task<Results<Ok<TransferView>, ProblemHttpResult>> Get(string transferId, HttpContext http, IGrainFactory grains)
    {
        if (!IsTransferId(transferId)) return Problems.For(ProvisioningError.NotFound);
        var view = await grains.GetGrain<ITransferGrain>(transferId).GetAsync(Caller.Of(http).TenantId);
        return view is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<TransferView>, ProblemHttpResult>> Accept(string transferId, AcceptTransferBody? body, HttpContext http, IGrainFactory grains)
    {
        if (!IsTransferId(transferId)) return Problems.For(ProvisioningError.NotFound);
        if (body?.GroupId is { } group && !TenantIds.IsValid(group)) return Problems.For(ProvisioningError.NotFound, $"group {body.GroupId} not found");
        var caller = Caller.Of(http);
        return Answer(await grains.GetGrain<ITransferGrain>(transferId).AcceptAsync(caller.TenantId, body?.GroupId, caller.Actor));
    }

    private static async Task<Results<Ok<TransferView>, ProblemHttpResult>> Cancel(string transferId, HttpContext http, IGrainFactory grains)
    {
        if (!IsTransferId(transferId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        return Answer(await grains.GetGrain<ITransferGrain>(transferId).CancelAsync(caller.TenantId, caller.Actor));
    }

    private static Results<Ok<TransferView>, ProblemHttpResult> Answer(TransferResult result) =>
        result.View is { } view ? TypedResults.Ok(view) : Problems.For(result.Error!.Value, result.Detail);

    private static bool IsTransferId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}

/// <summary>The body of <c>POST /api/v1/transfers</c>.</summary>
/// <param name="TargetTenantId">The tenant that is to receive the devices.</param>
/// <param name="DeviceIds">1..1000 distinct device ids of the caller.</param>
/// <param name="RevokeOldCertificateAt"><c>acceptance</c> or <c>reenrollment</c> (default).</param>
/// <param name="ExpiresInHours">1..720 (default 72).</param>
public sealed record CreateTransferBody(string? TargetTenantId, IReadOnlyList<string>? DeviceIds, string? RevokeOldCertificateAt = TransferPolicies.Reenrollment, int? ExpiresInHours = 72)
{
    /// <summary>What is wrong with the body, or null.</summary>
    public string? Problem()
    {
        if (TargetTenantId is null || !TenantIds.IsValid(TargetTenantId)) return "targetTenantId is required: [a-z0-9-], at most 64";
        if (DeviceIds is null || DeviceIds.Count is < 1 or > TransfersApi.MaxDevices) return $"deviceIds holds 1..{TransfersApi.MaxDevices} device ids";
        if (DeviceIds.Any(id => !Protocol.DeviceIds.IsValid(id))) return "deviceIds holds an invalid device id";
        if (DeviceIds.Distinct(StringComparer.Ordinal).Count() != DeviceIds.Count) return "deviceIds holds a device twice";
        if (RevokeOldCertificateAt is not (null or TransferPolicies.Acceptance or TransferPolicies.Reenrollment)) return "revokeOldCertificateAt is acceptance or reenrollment";
        if (ExpiresInHours is < 1 or > 720) return "expiresInHours is 1..720";
        return null;
    }
}

/// <summary>The (optional) body of <c>POST /api/v1/transfers/{id}/accept</c>.</summary>
/// <param name="GroupId">The target group to enrol the devices into; without it the target's groups are resolved as usual.</param>
public sealed record AcceptTransferBody(string? GroupId);

/// <summary>A page of transfers.</summary>
/// <param name="Items">The transfers.</param>
/// <param name="ContinuationToken">Where the next page starts, or null at the end.</param>
public sealed record TransferPage(IReadOnlyList<TransferView> Items, string? ContinuationToken);
