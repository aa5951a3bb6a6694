using System.Globalization;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Host.Api;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The tenant's enrolment group policies as they stood at a moment in the past, rebuilt from their audit entries: every
/// create and update records each setting (<see cref="EnrollmentPolicyChanges"/>: a new group's settings, an update's
/// <c>before → after</c>). A group changed since is turned back by undoing those changes; one created since is left out;
/// one deleted since is rebuilt forward from its own entries (read by subject). The version counts the audited changes;
/// a PUT that changed nothing raised the stored version without an entry, so an undone version may read lower than the one
/// the group showed then.
/// </summary>
public sealed class PoliciesAsOf(IProvisioningStore store)
{
    private const string Arrow = " → ";

    private static readonly IReadOnlySet<string> GroupActions = new HashSet<string>(StringComparer.Ordinal)
    {
        AuditActions.GroupCreate, AuditActions.GroupUpdate, AuditActions.GroupDelete,
    };

    /// <summary>A group's settings by name, as the audit entries write them, with its version.</summary>
    private sealed record Settings(IReadOnlyDictionary<string, string> Values, long Version);

    /// <summary><paramref name="now"/> (the groups' policies as read) turned back to before <paramref name="after"/>, in group order.</summary>
    public async Task<IReadOnlyList<ReportPolicy>> ReadAsync(string tenantId, IReadOnlyList<EnrollmentPolicy> now, IReadOnlyList<AuditEntry> after,
        CancellationToken cancellationToken)
    {
        var changed = after.Where(e => GroupActions.Contains(e.Event.Action)).ToLookup(e => e.Event.Subject, StringComparer.Ordinal);
        var policies = now.Where(p => !changed.Contains(p.GroupId)).Select(p => Report(p.GroupId, Of(p))).ToList();
        foreach (var group in changed)
        {
            var settings = now.FirstOrDefault(p => p.GroupId == group.Key) is { } current ? Of(current) : null;
            foreach (var e in group.Reverse())
            {
                settings = e.Event.Action switch
                {
                    AuditActions.GroupCreate => null,
                    AuditActions.GroupUpdate when settings is not null => Apply(settings, e.Event.Details, before: true),
                    AuditActions.GroupDelete => await BeforeAsync(tenantId, group.Key, e.Sequence, cancellationToken),
                    _ => settings,
                };
            }
            if (settings is not null) policies.Add(Report(group.Key, settings));
        }
        return policies.OrderBy(p => p.GroupId, StringComparer.Ordinal).ToList();
    }

    private static Settings Of(EnrollmentPolicy policy) =>
        new(EnrollmentPolicyChanges.Between(null, policy).ToDictionary(s => s.Key, s => Unclip(s.Value), StringComparer.Ordinal), policy.Version);

    /// <summary>An update's <c>before → after</c> changes applied to <paramref name="settings"/>: undone (<paramref name="before"/>) or redone.</summary>
    private static Settings Apply(Settings settings, IReadOnlyDictionary<string, string>? changes, bool before)
    {
        var values = new Dictionary<string, string>(settings.Values, StringComparer.Ordinal);
        foreach (var (name, change) in changes ?? new Dictionary<string, string>())
            if (change.IndexOf(Arrow, StringComparison.Ordinal) is >= 0 and var at)
                values[name] = Unclip(before ? change[..at] : change[(at + Arrow.Length)..]);
        return new Settings(values, before ? Math.Max(1, settings.Version - 1) : settings.Version + 1);
    }

    /// <summary>A group's settings just before its entry <paramref name="sequence"/>, built forward from its create and updates.</summary>
    private async Task<Settings?> BeforeAsync(string tenantId, string groupId, long sequence, CancellationToken cancellationToken)
    {
        Settings? settings = null;
        for (long next = 1; next < sequence;)
        {
            var page = await store.ReadAuditBySubjectAsync(tenantId, groupId, next, StoreLimits.MaxPageSize, cancellationToken);
            foreach (var e in page.Where(e => e.Sequence < sequence))
            {
                var details = e.Event.Details ?? new Dictionary<string, string>();
                settings = e.Event.Action switch
                {
                    AuditActions.GroupCreate => new Settings(details.ToDictionary(d => d.Key, d => Unclip(d.Value), StringComparer.Ordinal), 1),
                    AuditActions.GroupUpdate when settings is not null => Apply(settings, details, before: false),
                    AuditActions.GroupDelete => null,
                    _ => settings,
                };
            }
            if (page.Count < StoreLimits.MaxPageSize) break;
            next = page[^1].Sequence + 1;
        }
        return settings;
    }

    private static ReportPolicy Report(string groupId, Settings s)
    {
        string Value(string name) => s.Values.GetValueOrDefault(name) ?? "";
        return new ReportPolicy(groupId, s.Version, Value("enabled") == "true", Value("pcrIndices"), Value("allowedFirmware"),
            long.TryParse(Value("certificateLifetimeSeconds"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0,
            Value("trustedRoots").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static string Unclip(string value) => value == "(empty)" ? "" : value;
}
