using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Audit;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Audit;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The caller's audit log: a filtered, paged query, an NDJSON export, and a check of the hash chain. The log is
/// read in sequence order — with a subject (a device id, a key id, a group id or a root's fingerprint) only that
/// subject's entries, through the store's index — and filtered here (time window, action), so a page scans at most
/// <see cref="ScanLimit"/> entries: a page may then hold fewer items than asked, with a token to go on.
/// </summary>
public static class AuditApi
{
    /// <summary>How many log entries one query request reads at most.</summary>
    public const int ScanLimit = 10_000;

    private const int Batch = 500;

    /// <summary>Maps <c>/api/v1/audit</c>, <c>/export</c>, <c>/verify</c>, <c>/checkpoint</c> and (public) <c>/checkpoint-key</c>.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/api/v1/audit").WithTags("Audit");
        audit.MapGet("/", Query).RequireApiKey(ApiRole.Auditor);
        audit.MapGet("/export", Export).RequireApiKey(ApiRole.Auditor);
        audit.MapGet("/verify", Verify).RequireApiKey(ApiRole.Auditor);
        audit.MapGet("/checkpoint", Checkpoint).RequireApiKey(ApiRole.Auditor);
        audit.MapGet("/checkpoint-key", (AuditCheckpointSigner signer) => TypedResults.Ok(signer.PublicKey));
        return routes;
    }

    private static async Task<Results<Ok<Page<AuditEntryView>>, ProblemHttpResult>> Query(HttpContext http, IProvisioningStore store,
        string? from = null, string? to = null, string? deviceId = null, string? subject = null, string? action = null, int pageSize = 100,
        string? continuationToken = null)
    {
        if (!Paging.IsValidPageSize(pageSize)) return Problems.For(ProvisioningError.MalformedRequest, $"pageSize must be 1–{Paging.MaxPageSize}");
        if (!AuditFilter.TryParse(from, to, deviceId, subject, action, out var filter, out var problem)) return problem;
        if (!TryReadSequence(continuationToken, out var after)) return Problems.For(ProvisioningError.MalformedRequest, "continuationToken is not one this API wrote");

        var tenantId = Caller.Of(http).TenantId;
        var items = new List<AuditEntryView>();
        var next = after + 1;
        var scanned = 0;
        while (items.Count < pageSize && scanned < ScanLimit)
        {
            var batch = await ReadBatchAsync(store, tenantId, filter, next, Math.Min(Batch, ScanLimit - scanned));
            foreach (var entry in batch)
            {
                next = entry.Sequence + 1;
                if (filter.Matches(entry.Event)) items.Add(entry.ToContract());
                if (items.Count == pageSize) break;
            }
            scanned += batch.Count;
            if (batch.Count < Batch && items.Count < pageSize) return TypedResults.Ok(new Page<AuditEntryView>(items, null)); // the end of the log
        }
        return TypedResults.Ok(new Page<AuditEntryView>(items, Base64Url.EncodeToString(Encoding.UTF8.GetBytes((next - 1).ToString(CultureInfo.InvariantCulture)))));
    }

    private static async Task<IResult> Export(HttpContext http, IProvisioningStore store, IOptions<JsonOptions> json,
        string? from = null, string? to = null, string? deviceId = null, string? subject = null, string? action = null)
    {
        if (!AuditFilter.TryParse(from, to, deviceId, subject, action, out var filter, out var problem)) return problem;
        var tenantId = Caller.Of(http).TenantId;
        http.Response.ContentType = "application/x-ndjson";
        var newline = "\n"u8.ToArray();
        for (long next = 1; ;)
        {
            var batch = await ReadBatchAsync(store, tenantId, filter, next, Batch);
            foreach (var entry in batch.Where(e => filter.Matches(e.Event)))
            {
                await JsonSerializer.SerializeAsync(http.Response.Body, entry.ToContract(), json.Value.SerializerOptions, http.RequestAborted);
                await http.Response.Body.WriteAsync(newline, http.RequestAborted);
            }
            if (batch.Count < Batch) return Results.Empty;
            next = batch[^1].Sequence + 1;
        }
    }

    /// <summary>
    /// The whole log checked from entry 1, held to the newest signed checkpoint kept: the chain alone cannot show its own
    /// tail cut back or re-hashed, the signed head can (a log that ends before it, or whose entry at its size hashes
    /// otherwise, is broken there).
    /// </summary>
    private static async Task<Ok<AuditVerification>> Verify(HttpContext http, IProvisioningStore store, IGrainFactory grains)
    {
        var tenantId = Caller.Of(http).TenantId;
        var signed = await grains.GetGrain<IAuditCheckpointGrain>(tenantId).GetAtAsync(DateTimeOffset.MaxValue);
        var verifier = new AuditChainVerifier(tenantId, signedSize: signed?.Size ?? 0, signedHeadHash: signed?.HeadHash);
        return TypedResults.Ok((await AuditChain.VerifyAsync(store, verifier, http.RequestAborted)).ToContract());
    }

    /// <summary>The newest checkpoint (signing the head first if it moved), or with <c>at</c> the newest made at or before then.</summary>
    private static async Task<Results<Ok<AuditCheckpoint>, ProblemHttpResult>> Checkpoint(HttpContext http, IGrainFactory grains, string? at = null)
    {
        var checkpoints = grains.GetGrain<IAuditCheckpointGrain>(Caller.Of(http).TenantId);
        if (at is not null)
        {
            if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                return Problems.For(ProvisioningError.MalformedRequest, "at must be an ISO 8601 time");
            return await checkpoints.GetAtAsync(time) is { } kept
                ? TypedResults.Ok(kept.ToContract())
                : Problems.For(ProvisioningError.NotFound, "no checkpoint is kept from that time");
        }
        var outcome = await checkpoints.CheckpointAsync();
        return outcome.Inconsistency is { } broken
            ? Problems.For(ProvisioningError.Conflict, $"the audit log cannot be checkpointed: {broken}")
            : TypedResults.Ok(outcome.Checkpoint!.ToContract());
    }

    /// <summary>The next entries to filter: with a subject, only that subject's (read through the store's index by subject).</summary>
    private static Task<IReadOnlyList<AuditEntry>> ReadBatchAsync(IProvisioningStore store, string tenantId, AuditFilter filter, long next, int count) =>
        filter.Subject is { } subject ? store.ReadAuditBySubjectAsync(tenantId, subject, next, count) : store.ReadAuditAsync(tenantId, next, count);

    private static bool TryReadSequence(string? token, out long after)
    {
        after = 0;
        return Paging.TryReadToken(token, out var key) && (key is null || long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out after) && after >= 0);
    }

    /// <summary>
    /// The query's filters: a time window (from inclusive, to exclusive), a subject (<c>subject</c>, or <c>deviceId</c>
    /// for a device; both given, they must agree), an action — one of <see cref="AuditActions.All"/>, so a misspelt
    /// action is an error listing them, not an empty log.
    /// </summary>
    private sealed record AuditFilter(DateTimeOffset? From, DateTimeOffset? To, string? Subject, string? Action)
    {
        public bool Matches(AuditEvent e) =>
            (From is null || e.At >= From) && (To is null || e.At < To)
            && (Subject is null || e.Subject == Subject) && (Action is null || e.Action == Action);

        public static bool TryParse(string? from, string? to, string? deviceId, string? subject, string? action, out AuditFilter filter, out ProblemHttpResult problem)
        {
            filter = null!;
            problem = null!;
            if (!TryParseTime(from, "from", out var start, ref problem) || !TryParseTime(to, "to", out var end, ref problem)) return false;
            deviceId = string.IsNullOrEmpty(deviceId) ? null : deviceId;
            subject = string.IsNullOrEmpty(subject) ? null : subject;
            action = string.IsNullOrEmpty(action) ? null : action;
            if (deviceId is not null && subject is not null && deviceId != subject)
            {
                problem = Problems.For(ProvisioningError.MalformedRequest, "deviceId and subject name different subjects; give one");
                return false;
            }
            if (action is not null && !AuditActions.All.Contains(action))
            {
                problem = Problems.For(ProvisioningError.MalformedRequest, $"action '{action}' is not one of {string.Join(", ", AuditActions.All)}");
                return false;
            }
            filter = new AuditFilter(start, end, subject ?? deviceId, action);
            return true;
        }

        private static bool TryParseTime(string? text, string name, out DateTimeOffset? time, ref ProblemHttpResult problem)
        {
            time = null;
            if (text is null) return true;
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                problem = Problems.For(ProvisioningError.MalformedRequest, $"{name} must be an ISO 8601 time");
                return false;
            }
            time = value;
            return true;
        }
    }
}
