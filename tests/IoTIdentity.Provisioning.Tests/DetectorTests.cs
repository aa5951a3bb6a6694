using System.Collections.Immutable;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The stream and inventory detectors over made-up event sequences: each fires at its threshold and not below it,
/// in every order the events can come in, and stays quiet for what a healthy fleet does.
/// </summary>
public sealed class DetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MonitoringPolicy Policy = new();

    private static MonitoredEvent Session(MonitoredEventKind kind, string device, string session, string address, int second) =>
        new() { Kind = kind, Subject = device, SessionId = session, Address = address, At = T0.AddSeconds(second) };

    private static MonitoredEvent Decision(string device, string action, string outcome, int second, long sequence, params (string Key, string Value)[] details) => new()
    {
        Kind = MonitoredEventKind.Decision, Subject = device, Action = action, Outcome = outcome, Actor = "device", At = T0.AddSeconds(second),
        AuditSequence = sequence, Details = details.ToImmutableSortedDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
    };

    private static List<Detection> Run(IEnumerable<MonitoredEvent> events, MonitoringPolicy? policy = null)
    {
        var detectors = new Detectors();
        return events.SelectMany(e => detectors.Read(e, policy ?? Policy)).ToList();
    }

    private static IEnumerable<List<T>> Permutations<T>(List<T> items) => items.Count <= 1 ? [items]
        : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToList()).Select(rest => rest.Prepend(item).ToList()));

    [Fact]
    public void Two_live_sessions_of_one_device_from_two_addresses_are_a_clone_suspicion_whichever_connects_first()
    {
        var a = Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0);
        var b = Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 1);
        foreach (var order in Permutations([a, b]))
        {
            var found = Assert.Single(Run(order));
            Assert.Equal(FindingKind.CloneSuspected, found.Kind);
            Assert.Equal(FindingSeverity.Critical, found.Severity);
            Assert.Equal("10.0.0.1, 10.0.0.2", found.Evidence["addresses"]);
            Assert.Equal(["d1"], found.Devices);
        }
    }

    [Fact]
    public void A_device_that_reconnects_from_a_new_address_after_disconnecting_is_not_a_clone()
    {
        Assert.Empty(Run([
            Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0),
            Session(MonitoredEventKind.Disconnected, "d1", "s1", "10.0.0.1", 5),
            Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 6),
            Session(MonitoredEventKind.Connected, "d2", "s3", "10.0.0.1", 7),
        ]));
    }

    [Fact]
    public void A_second_session_the_endpoint_refused_is_a_clone_suspicion()
    {
        var found = Assert.Single(Run([Session(MonitoredEventKind.SecondSessionRefused, "d1", "s9", "192.0.2.7", 0)]));
        Assert.Equal(FindingKind.CloneSuspected, found.Kind);
        Assert.Equal("192.0.2.7", found.Evidence["refused-address"]);
    }

    [Fact]
    public void A_renewal_presenting_a_certificate_that_is_not_the_current_one_is_a_clone_suspicion_linked_to_its_audit_entry()
    {
        var found = Assert.Single(Run([Decision("d1", "register", $"refused:{ProvisioningError.RenewalNotAuthorized}", 0, 42,
            (MonitoredDetails.PresentedSerial, "0A"), (MonitoredDetails.CurrentSerial, "0B"))]));
        Assert.Equal(FindingKind.CloneSuspected, found.Kind);
        Assert.Equal([42L], found.AuditSequences);
        Assert.Empty(Run([Decision("d1", "register", $"refused:{ProvisioningError.RenewalNotAuthorized}", 0, 42,
            (MonitoredDetails.PresentedSerial, "0b"), (MonitoredDetails.CurrentSerial, "0B"))]));
    }

    [Theory]
    [InlineData("acme-sensor 1.1.0", "acme-sensor 1.0.0", true)]
    [InlineData("acme-sensor 1.10.0", "acme-sensor 1.9.2", true)]
    [InlineData("acme-sensor 1.0.0", "acme-sensor 1.1.0", false)]
    [InlineData("acme-sensor 1.9.2", "acme-sensor 1.10.0", false)]
    [InlineData("acme-sensor 1.1.0", "other-sensor 1.0.0", false)]
    [InlineData("acme-sensor 1.1.0", "acme-sensor 1.1.0", false)]
    [InlineData("acme-sensor beta", "acme-sensor 1.0.0", false)]
    [InlineData("", "acme-sensor 1.0.0", false)]
    public void A_downgrade_is_an_older_version_of_the_same_product(string from, string to, bool downgrade)
    {
        Assert.Equal(downgrade, FirmwareReleases.IsDowngrade(from, to));
        var found = Run([Decision("d1", "attest", "issued", 0, 7, (MonitoredDetails.Firmware, to), (MonitoredDetails.PreviousFirmware, from),
            (MonitoredDetails.Pcrs, "p"), (MonitoredDetails.PreviousPcrs, "p"))]);
        Assert.Equal(downgrade, found.Any(d => d.Kind == FindingKind.FirmwareDowngrade));
    }

    [Fact]
    public void Other_PCR_values_under_the_same_release_are_drift_and_the_same_values_are_not()
    {
        var drift = Assert.Single(Run([Decision("d1", "attest", "issued", 0, 7, (MonitoredDetails.Firmware, "acme-sensor 1.0.0"),
            (MonitoredDetails.PreviousFirmware, "acme-sensor 1.0.0"), (MonitoredDetails.Pcrs, "aa"), (MonitoredDetails.PreviousPcrs, "bb"))]));
        Assert.Equal(FindingKind.FirmwareDrift, drift.Kind);
        Assert.Empty(Run([Decision("d1", "attest", "issued", 0, 7, (MonitoredDetails.Firmware, "acme-sensor 1.0.0"),
            (MonitoredDetails.PreviousFirmware, "acme-sensor 1.0.0"), (MonitoredDetails.Pcrs, "aa"), (MonitoredDetails.PreviousPcrs, "aa"))]));
        Assert.Empty(Run([Decision("d1", "attest", "issued", 0, 7, (MonitoredDetails.Firmware, "acme-sensor 1.1.0"),
            (MonitoredDetails.PreviousFirmware, "acme-sensor 1.0.0"), (MonitoredDetails.Pcrs, "aa"), (MonitoredDetails.PreviousPcrs, "bb"))]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Attestation_failures_of_one_group_and_reason_open_a_finding_at_the_threshold_and_not_before(int threshold)
    {
        var policy = Policy with { AttestationFailureThreshold = threshold };
        foreach (var reason in new[] { ProvisioningError.QuoteInvalid, ProvisioningError.ActivationFailed, ProvisioningError.MeasurementNotAllowed })
        {
            var events = Enumerable.Range(0, threshold).Select(i => Decision($"d{i}", "attest", $"refused:{reason}", i, i, (MonitoredDetails.Group, "g"))).ToList();
            Assert.Empty(Run(events.Take(threshold - 1), policy));
            var found = Assert.Single(Run(events, policy));
            Assert.Equal(FindingKind.AttestationFailures, found.Kind);
            Assert.Equal($"g/{reason}", found.Key);
            Assert.Equal(events.Select(e => e.Subject), found.Devices);                 // every failing device of the window
            Assert.Equal(events.Select(e => e.AuditSequence!.Value), found.AuditSequences);
        }
    }

    [Fact]
    public void Attestation_failures_spread_over_groups_reasons_or_past_the_window_do_not_add_up()
    {
        var policy = Policy with { AttestationFailureThreshold = 3, AttestationFailureWindow = TimeSpan.FromSeconds(10) };
        Assert.Empty(Run([
            Decision("d1", "attest", $"refused:{ProvisioningError.QuoteInvalid}", 0, 1, (MonitoredDetails.Group, "g1")),
            Decision("d2", "attest", $"refused:{ProvisioningError.QuoteInvalid}", 1, 2, (MonitoredDetails.Group, "g2")),
            Decision("d3", "attest", $"refused:{ProvisioningError.ActivationFailed}", 2, 3, (MonitoredDetails.Group, "g1")),
            Decision("d4", "attest", $"refused:{ProvisioningError.QuoteInvalid}", 11, 4, (MonitoredDetails.Group, "g1")),
            Decision("d5", "attest", $"refused:{ProvisioningError.QuoteInvalid}", 22, 5, (MonitoredDetails.Group, "g1")),
            Decision("d6", "register", $"refused:{ProvisioningError.QuotaExceeded}", 23, 6, (MonitoredDetails.Group, "g1")),
        ], policy));
    }

    [Theory]
    [InlineData(ProvisioningError.Revoked)]
    [InlineData(ProvisioningError.Disabled)]
    public void A_revoked_or_disabled_device_that_keeps_trying_is_a_finding_at_the_threshold(ProvisioningError refusal)
    {
        var events = Enumerable.Range(0, Policy.RevokedRetryThreshold).Select(i => Decision("d1", "register", $"refused:{refusal}", i, i)).ToList();
        Assert.Empty(Run(events.Take(Policy.RevokedRetryThreshold - 1)));
        var found = Assert.Single(Run(events));
        Assert.Equal(FindingKind.RevokedDeviceRetrying, found.Kind);
        Assert.Equal(refusal.ToString(), found.Evidence["refusal"]);
        Assert.Equal(["d1"], found.Devices);
        Assert.Equal(events.Select(e => e.AuditSequence!.Value), found.AuditSequences);
    }

    [Fact]
    public void A_burst_of_first_enrolments_in_one_group_is_a_finding_but_renewals_are_not_counted()
    {
        var policy = Policy with { EnrollmentBurstThreshold = 4 };
        var renewals = Enumerable.Range(0, 10).Select(i => Decision($"r{i}", "attest", "issued", i, i, (MonitoredDetails.Mode, "renew"),
            (MonitoredDetails.Group, "g"), (MonitoredDetails.PreviousPcrs, "p"), (MonitoredDetails.Pcrs, "p"), (MonitoredDetails.PreviousFirmware, ""), (MonitoredDetails.Firmware, "")));
        Assert.Empty(Run(renewals, policy));
        var enrolments = Enumerable.Range(0, 4).Select(i => Decision($"e{i}", "attest", "issued", i, i, (MonitoredDetails.Mode, "enroll"), (MonitoredDetails.Group, "g")));
        var burst = Assert.Single(Run(enrolments, policy));
        Assert.Equal((FindingKind.EnrollmentBurst, "g"), (burst.Kind, burst.Key));
        Assert.Equal(["e0", "e1", "e2", "e3"], burst.Devices);
        Assert.Equal([0L, 1L, 2L, 3L], burst.AuditSequences);
    }

    [Fact]
    public void First_enrolments_from_one_address_are_a_burst_across_groups_in_every_order_and_from_many_addresses_are_not()
    {
        var policy = Policy with { EnrollmentBurstThreshold = 3 };
        MonitoredEvent Enrolment(string device, string group, string address, int second) => Decision(device, "attest", "issued", second, second,
            (MonitoredDetails.Mode, "enroll"), (MonitoredDetails.Group, group), (MonitoredDetails.Address, address));
        var oneAddress = new List<MonitoredEvent> { Enrolment("a", "g1", "198.51.100.7", 0), Enrolment("b", "g2", "198.51.100.7", 1), Enrolment("c", "g3", "198.51.100.7", 2) };
        foreach (var order in Permutations(oneAddress))
        {
            var burst = Assert.Single(Run(order, policy));
            Assert.Equal((FindingKind.EnrollmentBurst, "address:198.51.100.7", "198.51.100.7"), (burst.Kind, burst.Key, burst.Evidence["address"]));
            Assert.Equal(order.Select(e => e.Subject), burst.Devices);
        }
        Assert.Empty(Run([Enrolment("a", "g1", "198.51.100.7", 0), Enrolment("b", "g2", "198.51.100.8", 1), Enrolment("c", "g3", "2001:db8::1", 2)], policy));
        // one group from one address: the group's burst and the address's, each its own finding
        Assert.Equal(["g1", "address:198.51.100.7"],
            Run([Enrolment("a", "g1", "198.51.100.7", 0), Enrolment("b", "g1", "198.51.100.7", 1), Enrolment("c", "g1", "198.51.100.7", 2)], policy).Select(d => d.Key));
    }

    /// <summary>
    /// Rate findings filed from what the detectors pass (a finding's worth of the window) are the findings the whole
    /// window would file: for random bursts of first enrolments, attestation failures and refused retries — few or
    /// many devices, repeats, gaps past the window, thresholds below and above what a finding keeps, links missing.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Rate_findings_are_those_the_whole_window_files(int seed)
    {
        var random = new Random(seed);
        var policy = Policy with
        {
            EnrollmentBurstThreshold = random.Next(1, 150), EnrollmentBurstWindow = TimeSpan.FromSeconds(random.Next(20, 120)),
            AttestationFailureThreshold = random.Next(1, 150), AttestationFailureWindow = TimeSpan.FromSeconds(random.Next(20, 120)),
            RevokedRetryThreshold = random.Next(1, 150), RetryWindow = TimeSpan.FromSeconds(random.Next(20, 120)),
        };
        var devices = random.Next(2) == 0 ? 20 : 400;
        var at = 0.0;
        var events = new List<MonitoredEvent>();
        for (var i = 0; i < 3_000; i++)
        {
            at += random.Next(400) == 0 ? random.Next(30, 200) : random.NextDouble() * 0.1;
            var device = $"d{random.Next(devices)}";
            long? sequence = random.Next(10) == 0 ? null : i;
            var e = random.Next(3) switch
            {
                0 => Decision(device, "attest", "issued", 0, 0, (MonitoredDetails.Mode, "enroll"), (MonitoredDetails.Group, $"g{random.Next(2)}"),
                    (MonitoredDetails.Address, $"198.51.100.{random.Next(3)}")),
                1 => Decision(device, "attest", $"refused:{ProvisioningError.QuoteInvalid}", 0, 0, (MonitoredDetails.Group, "g0")),
                _ => Decision(device, "register", $"refused:{ProvisioningError.Revoked}", 0, 0),
            };
            events.Add(e with { At = T0.AddSeconds(at), AuditSequence = sequence });
        }

        var reference = WholeWindowFindings(events, policy);
        Assert.NotEmpty(reference);
        // as the monitor grain reads them (told which findings already list all their devices), and without being told
        foreach (var told in new[] { true, false })
        {
            var detectors = new Detectors();
            var filed = new MonitorState();
            var withoutDevices = 0;
            foreach (var e in events)
                foreach (var detection in detectors.Read(e, policy, told ? (kind, key) => FindingBook.ListsAllDevices(filed, kind, key) : null)
                             .Where(d => d.Kind != FindingKind.CloneSuspected))
                {
                    if (detection.Devices.IsEmpty) withoutDevices++;
                    filed = FindingBook.File(filed, detection).State;
                }

            Assert.Equal(reference.Select(Describe), filed.Findings.Select(Describe));
            // told, a burst past a full finding lists no devices (the saving); not told, every detection lists its window's
            Assert.Equal(told && reference.Any(f => f.Devices.Count == FindingBook.MaxDevices), withoutDevices > 0);
        }
    }

    private static string Describe(Finding f) =>
        $"{f.Kind} {f.Key} count={f.Count} devices=[{string.Join(",", f.Devices)}] links=[{string.Join(",", f.AuditSequences)}] first={f.FirstSeen:O} last={f.LastSeen:O} evidence={string.Join(";", f.Evidence)}";

    /// <summary>
    /// The reference: every event over its window's threshold files the whole window — all its devices, first seen
    /// first, and all its audit entries — the way the detectors did before they passed only what a finding keeps.
    /// </summary>
    private static List<Finding> WholeWindowFindings(List<MonitoredEvent> events, MonitoringPolicy policy)
    {
        var windows = new Dictionary<string, List<MonitoredEvent>>();
        var findings = new List<Finding>();
        void Count(string windowKey, MonitoredEvent e, TimeSpan width, int threshold, FindingKind kind, FindingSeverity severity, string key, Dictionary<string, string> evidence, string countName)
        {
            var window = windows.TryGetValue(windowKey, out var w) ? w : windows[windowKey] = [];
            window.Add(e);
            window.RemoveAll(x => x.At <= e.At - width);
            if (window.Count < threshold) return;
            evidence[countName] = window.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var windowDevices = window.Select(x => x.Subject).Distinct().ToList();
            var windowLinks = window.Where(x => x.AuditSequence is not null).Select(x => x.AuditSequence!.Value).ToList();
            var index = findings.FindLastIndex(f => f.Kind == kind && f.Key == key);
            if (index < 0)
            {
                findings.Add(new Finding
                {
                    Id = "f-" + (findings.Count + 1), Kind = kind, Severity = severity, Key = key, Devices = [.. windowDevices.Take(FindingBook.MaxDevices)],
                    Evidence = evidence.ToImmutableSortedDictionary(StringComparer.Ordinal), AuditSequences = [.. windowLinks.TakeLast(Finding.MaxAuditLinks)],
                    FirstSeen = e.At, LastSeen = e.At,
                });
                return;
            }
            var f = findings[index];
            var links = f.AuditSequences.AddRange(windowLinks.TakeLast(Finding.MaxAuditLinks).Where(l => !f.AuditSequences.Contains(l)));
            findings[index] = f with
            {
                Count = f.Count + 1, LastSeen = e.At,
                Devices = f.Devices.AddRange(windowDevices.Where(d => !f.Devices.Contains(d)).Take(FindingBook.MaxDevices - f.Devices.Count)),
                Evidence = f.Evidence.SetItems(evidence), AuditSequences = [.. links.TakeLast(Finding.MaxAuditLinks)],
            };
        }
        foreach (var e in events)
        {
            var group = e.Detail(MonitoredDetails.Group) ?? "";
            if (e.Outcome == "issued")
            {
                var window = policy.EnrollmentBurstWindow.ToString();
                Count($"burst|{group}", e, policy.EnrollmentBurstWindow, policy.EnrollmentBurstThreshold, FindingKind.EnrollmentBurst, FindingSeverity.Medium, group,
                    new() { ["group"] = group, ["window"] = window }, "enrolments");
                var address = e.Detail(MonitoredDetails.Address)!;
                Count($"burst-address|{address}", e, policy.EnrollmentBurstWindow, policy.EnrollmentBurstThreshold, FindingKind.EnrollmentBurst, FindingSeverity.Medium,
                    $"address:{address}", new() { ["address"] = address, ["window"] = window }, "enrolments");
            }
            else if (e.Action == "attest")
                Count($"attest|{group}", e, policy.AttestationFailureWindow, policy.AttestationFailureThreshold, FindingKind.AttestationFailures, FindingSeverity.High,
                    $"{group}/{ProvisioningError.QuoteInvalid}", new() { ["group"] = group, ["reason"] = $"{ProvisioningError.QuoteInvalid}", ["window"] = policy.AttestationFailureWindow.ToString() }, "failures");
            else
                Count($"standing|{e.Subject}", e, policy.RetryWindow, policy.RevokedRetryThreshold, FindingKind.RevokedDeviceRetrying, FindingSeverity.Medium, e.Subject,
                    new() { ["refusal"] = $"{ProvisioningError.Revoked}", ["window"] = policy.RetryWindow.ToString() }, "attempts");
        }
        return findings;
    }

    [Fact]
    public void Monitorings_own_audit_entries_are_never_read_back_as_signals()
    {
        var own = Enumerable.Range(0, 10).Select(i => Decision("d1", "register", $"refused:{ProvisioningError.Revoked}", i, i) with { Actor = MonitoredDetails.MonitoringActor });
        Assert.Empty(Run(own));
    }

    [Fact]
    public void An_active_device_is_stale_past_its_renewal_time_and_its_grace_and_expiring_within_the_horizon()
    {
        // issued at T0 for 30 days: renewal due at day 20
        DeviceRecord Row(DateTimeOffset updated) => new("t", "d1", "Active", null, "0A", updated.AddDays(30), true, updated);
        var policy = Policy with { StaleGrace = TimeSpan.FromHours(1), ExpiryHorizon = TimeSpan.FromHours(2) };
        Assert.Null(InventorySweep.Check(Row(T0), policy, T0.AddDays(20)));
        Assert.Null(InventorySweep.Check(Row(T0), policy, T0.AddDays(20).AddMinutes(59)));
        Assert.Equal(FindingKind.StaleDevice, InventorySweep.Check(Row(T0), policy, T0.AddDays(20).AddHours(2))!.Kind);
        Assert.Equal(FindingKind.ExpiringBeforeRenewal, InventorySweep.Check(Row(T0), policy, T0.AddDays(30).AddHours(-1))!.Kind);
        Assert.Equal(FindingKind.StaleDevice, InventorySweep.Check(Row(T0), policy, T0.AddDays(31))!.Kind);
        Assert.Null(InventorySweep.Check(Row(T0) with { CertificateNotAfter = null }, policy, T0.AddDays(31)));
    }

    [Fact]
    public void Repeats_count_into_the_open_finding_and_a_resolved_one_is_followed_by_a_new_finding()
    {
        var detection = new Detection(FindingKind.CloneSuspected, FindingSeverity.Critical, "d1", ["d1"],
            ImmutableSortedDictionary<string, string>.Empty, T0, [1]);
        var (state, first, opened, added) = FindingBook.File(new MonitorState(), detection);
        Assert.True(opened);
        Assert.Equal(["d1"], added);
        (state, var again, opened, added) = FindingBook.File(state, detection with { At = T0.AddMinutes(1), AuditSequences = [1, 2] });
        Assert.False(opened);
        Assert.Empty(added);
        Assert.Equal((first.Id, 2, T0.AddMinutes(1)), (again.Id, again.Count, again.LastSeen));
        Assert.Equal([1L, 2L], again.AuditSequences);

        state = FindingBook.Replace(state, again with { State = FindingState.Resolved });
        (_, var next, opened, _) = FindingBook.File(state, detection with { At = T0.AddMinutes(2) });
        Assert.True(opened);
        Assert.NotEqual(first.Id, next.Id);
    }

    [Fact]
    public void A_webhook_signature_verifies_only_for_the_same_secret_timestamp_and_body()
    {
        var secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var body = "{\"findingId\":\"f-1\"}"u8.ToArray();
        var signature = WebhookSignature.Sign(secret, 1_800_000_000, body);
        Assert.StartsWith("sha256=", signature);
        Assert.True(WebhookSignature.Verify(secret, 1_800_000_000, body, signature));
        Assert.False(WebhookSignature.Verify(secret, 1_800_000_001, body, signature));
        Assert.False(WebhookSignature.Verify([.. secret.Reverse()], 1_800_000_000, body, signature));
        for (var i = 0; i < body.Length; i++)
        {
            var tampered = body.ToArray();
            tampered[i] ^= 1;
            Assert.False(WebhookSignature.Verify(secret, 1_800_000_000, tampered, signature));
        }
    }
}
