using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions.Federation;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Fetches external trust domains' bundles and records the outcome on the relationship: the new bundle and the next
/// fetch on its refresh hint (<see cref="BundleRefreshSchedule"/>), or the error, the stored bundle kept, and the next
/// fetch after a backoff. <see cref="RefreshDueAsync"/> does it for every relationship due now (what
/// <see cref="Hosting.BundleRefreshService"/> runs on its schedule); <see cref="RefreshAsync"/> for one relationship, when
/// its owner creates or refreshes it. Counted in <c>iotid_federation_bundle_fetches{outcome,trigger}</c>.
/// </summary>
public sealed class BundleRefresher
{
    private readonly IGrainFactory _grains;
    private readonly BundleFetcher _fetcher;
    private readonly BundleFetchOptions _options;
    private readonly TimeProvider _clock;
    private readonly Counter<long> _fetches;

    public BundleRefresher(IGrainFactory grains, BundleFetcher fetcher, IOptions<BundleFetchOptions> options, TimeProvider clock, IMeterFactory meters)
    {
        (_grains, _fetcher, _options, _clock) = (grains, fetcher, options.Value, clock);
        _fetches = meters.Create(ProvisioningMetrics.MeterName).CreateCounter<long>("iotid_federation_bundle_fetches", description: "Fetches of external trust bundles by outcome (ok, failed) and trigger (schedule, owner)");
    }

    /// <summary>The schedule's settings.</summary>
    public BundleFetchOptions Options => _options;

    /// <summary>
    /// Fetches every external bundle whose refresh is due now (each claimed first, so silos side by side fetch it once)
    /// and returns how many were fetched.
    /// </summary>
    public async Task<int> RefreshDueAsync(CancellationToken cancellationToken)
    {
        var fetched = 0;
        var lease = _options.BundleFetchTimeout + TimeSpan.FromMinutes(1);
        foreach (var tenantId in await _grains.GetGrain<IFederationIndexGrain>(IFederationIndexGrain.Key).ListAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var relationship in await _grains.GetGrain<IFederationGrain>(tenantId).ClaimDueAsync(_clock.GetUtcNow(), lease))
            {
                await RefreshAsync(tenantId, relationship, null, cancellationToken);
                fetched++;
            }
        }
        return fetched;
    }

    /// <summary>
    /// Fetches <paramref name="relationship"/>'s bundle and records the outcome (<paramref name="actor"/>: the owner who
    /// asked, or null for the schedule). Returns the relationship as recorded (null if it was removed meanwhile) and the
    /// fetch's error, if it failed.
    /// </summary>
    public async Task<(FederationRelationship? Relationship, string? Problem)> RefreshAsync(string tenantId, FederationRelationship relationship, string? actor,
        CancellationToken cancellationToken)
    {
        var url = relationship.BundleUrl ?? throw new ArgumentException("a federation with another tenant has no bundle to fetch", nameof(relationship));
        var (bundle, problem) = await _fetcher.FetchAsync(url, cancellationToken);
        _fetches.Add(1, new KeyValuePair<string, object?>("outcome", problem is null ? "ok" : "failed"), new("trigger", actor is null ? "schedule" : "owner"));
        var result = Outcome(bundle, problem, relationship.RefreshFailures);
        return (await _grains.GetGrain<IFederationGrain>(tenantId).RecordFetchAsync(relationship.Name, url, result, actor), problem);
    }

    /// <summary>What a fetch that returned <paramref name="bundle"/> or <paramref name="problem"/> records, with the next fetch.</summary>
    public BundleFetchResult Outcome(string? bundle, string? problem, int failuresBefore)
    {
        var now = _clock.GetUtcNow();
        var draw = RandomNumberGenerator.GetInt32(1_000_000) / 1_000_000d;
        if (bundle is null)
            return new BundleFetchResult { Error = problem, AttemptedAt = now, NextRefreshAt = BundleRefreshSchedule.AfterFailure(_options, now, failuresBefore + 1, draw) };
        var hint = RefreshHint(bundle);
        return new BundleFetchResult { Bundle = bundle, AttemptedAt = now, RefreshHintSeconds = hint, NextRefreshAt = BundleRefreshSchedule.AfterSuccess(_options, now, hint, draw) };
    }

    /// <summary>The bundle's <c>spiffe_refresh_hint</c> in seconds, when it is a positive integer.</summary>
    private static int? RefreshHint(string bundle)
    {
        using var document = JsonDocument.Parse(bundle);
        return document.RootElement.TryGetProperty("spiffe_refresh_hint", out var hint) && hint.ValueKind == JsonValueKind.Number && hint.TryGetInt32(out var seconds) && seconds > 0
            ? seconds
            : null;
    }
}
