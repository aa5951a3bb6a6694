using System.Collections.Immutable;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// A device's expired certificates, moved out of its state in pages so that the state — written whole at every step
/// of every enrolment — stays the same size however often the device renews. Without it a device renewing hourly
/// carried every serial it was ever issued in each write and reached the store's 1 MiB state limit within a year,
/// after which it could not renew at all.
/// </summary>
/// <remarks>
/// <para>A certificate leaves the state when it has expired and is not one of the newest
/// <see cref="KeptInState"/>; the move happens when at least <see cref="PageSize"/> of them have gathered, as one
/// page (kind <see cref="Kind"/>, key "{deviceId}/{page}") written before the state that no longer holds them. A crash
/// between the two writes leaves the state as it was and the page beyond <see cref="DeviceState.ArchivedPages"/>, where
/// no reader looks; the next move writes that page again. So a certificate is always in exactly one of the two.</para>
/// <para>What reads the history reads the pages too: the device view's past serials, a certificate by serial (its
/// issuer, validity, revocation) and revoking one by serial. Revoking the whole device and the cut-off of a
/// transfer cover the certificates in the state: the archived ones have expired, so no relying party accepts them and
/// no CRL lists them (<c>CrlBuilder</c> leaves expired certificates out).</para>
/// </remarks>
public sealed class CertificateHistory(IProvisioningStore store, Serializer serializer, IOptions<ProvisioningOptions> options)
{
    /// <summary>The document kind of the pages.</summary>
    public const string Kind = "device-certificates";

    /// <summary>How many of the newest certificates stay in the state whether expired or not.</summary>
    public const int KeptInState = 8;

    /// <summary>How many expired certificates beyond the newest gather in the state before they move out as a page.</summary>
    public const int PageSize = 32;

    /// <summary>At most this many certificates go into one page (a device that was offline for long may have more expired at once).</summary>
    public const int MaxPageSize = 1024;

    /// <summary>
    /// Refuses another certificate while the device holds <see cref="ProvisioningOptions.MaxValidCertificatesPerDevice"/>
    /// that have not expired by <paramref name="now"/> (<c>RateLimited</c>, retry when the oldest of them expires); null
    /// when it may have one. Those certificates all stay in the state, so this bounds it for a device renewing within
    /// one lifetime as the archive does for one renewing over years.
    /// </summary>
    public Refusal? CheckRoomForAnother(DeviceState s, DateTimeOffset now)
    {
        var limit = options.Value.MaxValidCertificatesPerDevice;
        if (s.Certificates.Count < limit) return null;
        var valid = s.Certificates.Where(c => c.NotAfter > now).ToList();
        if (valid.Count < limit) return null;
        var wait = valid.Min(c => c.NotAfter) - now;
        return new Refusal(ProvisioningError.RateLimited, $"the device holds {valid.Count} certificates that have not expired (at most {limit}); renew when the oldest expires",
            RetryAfterSeconds: (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, int.MaxValue));
    }

    /// <summary>
    /// The state an issuance builds on: <paramref name="device"/>'s state itself, or — when at least <see cref="PageSize"/>
    /// of its older certificates have expired by <paramref name="now"/> — the state without them, after they were
    /// written as the next page. The caller writes the returned state (with the new certificate) itself.
    /// </summary>
    public async Task<DeviceState> MakeRoomAsync(DeviceContext device, DateTimeOffset now)
    {
        var s = device.State;
        if (s.Certificates.Count < KeptInState + PageSize) return s;
        var leaving = s.Certificates.Take(s.Certificates.Count - KeptInState)
            .Where(c => c.NotAfter <= now && c.SerialNumber != s.Current?.SerialNumber).Take(MaxPageSize).ToImmutableList();
        if (leaving.Count < PageSize) return s;

        var page = PageKey(device.DeviceId, s.ArchivedPages);
        var written = await store.ReadAsync(Kind, page);  // left by a move whose state write never happened
        await store.WriteAsync(Kind, page, serializer.SerializeToArray(new CertificatePage { Certificates = leaving }), written?.ETag);
        var gone = leaving.Select(c => c.SerialNumber).ToHashSet(StringComparer.Ordinal);
        return s with
        {
            Certificates = s.Certificates.RemoveAll(c => gone.Contains(c.SerialNumber)),
            PastSerials = s.PastSerials.RemoveAll(gone.Contains),
            CutOffSerials = s.CutOffSerials.RemoveAll(gone.Contains),
            ArchivedPages = s.ArchivedPages + 1,
        };
    }

    /// <summary>The device's archived certificates, oldest first (none read when it has no page).</summary>
    public async Task<IReadOnlyList<CertificateSummary>> ArchivedAsync(DeviceContext device)
    {
        var pages = device.State.ArchivedPages;
        if (pages == 0) return [];
        var reads = Enumerable.Range(0, pages).Select(i => store.ReadAsync(Kind, PageKey(device.DeviceId, i))).ToArray();
        var archived = new List<CertificateSummary>();
        for (var i = 0; i < pages; i++)
        {
            var stored = await reads[i] ?? throw new StoreUnavailableException(
                $"page {i} of the certificate history of device {device.DeviceId} is missing (the state says {pages} were written)");
            archived.AddRange(serializer.Deserialize<CertificatePage>(stored.Data)!.Certificates);
        }
        return archived;
    }

    /// <summary>The certificate with <paramref name="serialNumber"/> in the device's state or its archive, or null.</summary>
    public async Task<CertificateSummary?> FindAsync(DeviceContext device, string serialNumber) =>
        device.State.Certificates.FirstOrDefault(c => c.SerialNumber == serialNumber)
        ?? (await ArchivedAsync(device)).FirstOrDefault(c => c.SerialNumber == serialNumber);

    private static string PageKey(string deviceId, int page) => $"{deviceId}/{page}";
}

/// <summary>One page of a device's archived certificates (<see cref="CertificateHistory"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record CertificatePage
{
    [Id(0)] public ImmutableList<CertificateSummary> Certificates { get; init; } = [];
}
