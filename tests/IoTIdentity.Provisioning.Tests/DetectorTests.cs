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

    private static readonly TimeSpan Grace = MonitoringOptions.DefaultConcurrentSessionGrace;

    /// <summary>When the tests' suspicions are judged: long after every event.</summary>
    private static readonly DateTimeOffset Later = T0.AddHours(1);

    /// <summary>Reads <paramref name="events"/>; no session event is a detection when it is read.</summary>
    private static Detectors Read(IEnumerable<MonitoredEvent> events)
    {
        var detectors = new Detectors(Grace);
        Assert.Empty(events.SelectMany(e => detectors.Read(e, Policy)));
        return detectors;
    }

    [Fact]
    public void Two_live_sessions_of_one_device_are_a_clone_suspicion_when_the_earlier_outlives_the_grace_whichever_is_heard_first()
    {
        var a = Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0);
        var b = Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 1);
        foreach (var order in Permutations([a, b]))
        {
            var detectors = Read(order);
            Assert.Equal(["d1"], detectors.TakeDevicesToAsk());     // its sessions are asked whether their peers are there
            Assert.Empty(detectors.TakeDevicesToAsk());
            Assert.Equal(b.At + Grace, detectors.NextDue);
            Assert.Empty(detectors.TakeDue(b.At + Grace - TimeSpan.FromTicks(1)));
            var suspicion = Assert.Single(detectors.TakeDue(b.At + Grace));
            Assert.Null(detectors.NextDue);
            Assert.Equal("s2", suspicion.Connected.SessionId);          // the one admitted last, whichever was heard first
            // both still live; or the earlier one still live and the later gone (a clone that connected, acted and left):
            // a clone suspicion each time
            foreach (var live in new IReadOnlyCollection<string>[] { ["s1", "s2"], ["s1"] })
            {
                var found = detectors.Judge(suspicion, live, Later);
                Assert.NotNull(found);
                Assert.Equal((FindingKind.CloneSuspected, FindingSeverity.Critical), (found.Kind, found.Severity));
                Assert.Equal(("concurrent-sessions", "10.0.0.1, 10.0.0.2", "2"), (found.Evidence["signal"], found.Evidence["addresses"], found.Evidence["sessions"]));
                Assert.Equal(["d1"], found.Devices);
                Assert.Equal(b.At, found.At);
            }
        }
    }

    [Fact]
    public void A_device_that_moves_to_another_silo_is_not_a_clone_in_whatever_order_the_silos_are_heard()
    {
        // s1 on one silo ends at 5 s, s2 on another is admitted at 5 s; each silo reports its own in order, the two
        // silos' reports interleave any way; another device's sessions come and go meanwhile
        var s1 = Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0);
        var s1Ends = Session(MonitoredEventKind.Disconnected, "d1", "s1", "10.0.0.1", 5);
        var s2 = Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 5);
        var other = Session(MonitoredEventKind.Connected, "d2", "s3", "10.0.0.1", 3);
        var orders = Permutations([s1, s1Ends, s2, other]).Where(o => o.IndexOf(s1) < o.IndexOf(s1Ends)).ToList();
        Assert.Equal(12, orders.Count);
        foreach (var order in orders)
        {
            var detectors = Read(order);
            // a suspicion raised while s1 seemed live is gone once its end is heard
            Assert.Null(detectors.NextDue);
            Assert.Empty(detectors.TakeDue(DateTimeOffset.MaxValue));
        }
    }

    [Fact]
    public void A_silo_that_cannot_answer_puts_the_judgement_off_until_it_can_or_the_last_judgement_counts_it()
    {
        MonitoredEvent[] twoLive = [Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0), Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 1)];

        // no answer every time: put off a grace at a time, then the earlier session counts as outliving
        var silent = Read(twoLive);
        var now = T0.AddSeconds(1) + Grace;
        for (var judged = 1; judged < ConcurrentSessions.MaxJudgements; judged++)
        {
            var suspicion = Assert.Single(silent.TakeDue(now));
            Assert.Null(silent.Judge(suspicion, null, now));
            Assert.Equal(now + Grace, silent.NextDue);
            Assert.Empty(silent.TakeDue(now + Grace - TimeSpan.FromTicks(1)));
            now += Grace;
        }
        Assert.Equal(FindingKind.CloneSuspected, silent.Judge(Assert.Single(silent.TakeDue(now)), null, now)?.Kind);
        Assert.Null(silent.NextDue);

        // the silo answers at the second judgement: only the new session is held, no clone
        var recovers = Read(twoLive);
        Assert.Null(recovers.Judge(Assert.Single(recovers.TakeDue(Later)), null, Later));
        Assert.Null(recovers.Judge(Assert.Single(recovers.TakeDue(Later + Grace)), ["s2"], Later + Grace));
        Assert.Null(recovers.NextDue);

        // an earlier session heard ending after the grace needs no silo's answer
        var endedLate = Read([.. twoLive, Session(MonitoredEventKind.Disconnected, "d1", "s1", "10.0.0.1", 1 + (int)Grace.TotalSeconds + 1)]);
        Assert.NotNull(endedLate.Judge(Assert.Single(endedLate.TakeDue(Later)), null, Later));
    }

    [Fact]
    public void A_dead_session_on_another_silo_ended_within_the_grace_is_not_a_clone_and_is_forgotten_even_unreported()
    {
        // d1 lost power on one silo and is back on another; the first ends its dead session after it is asked (or leaves
        // the cluster with it, reporting nothing): by the judgement only the new session is live
        var detectors = Read([
            Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0),
            Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.1", 100),
        ]);
        Assert.Equal(["d1"], detectors.TakeDevicesToAsk());
        var suspicion = Assert.Single(detectors.TakeDue(T0.AddSeconds(100) + Grace));
        Assert.Equal(["s1"], suspicion.Earlier.Keys);
        Assert.Null(detectors.Judge(suspicion, ["s2"], Later));

        // s1 is forgotten: the next move (s2 ends, s3 admitted) raises nothing, though s1's end was never heard
        Assert.Empty(new[]
        {
            Session(MonitoredEventKind.Disconnected, "d1", "s2", "10.0.0.1", 200),
            Session(MonitoredEventKind.Connected, "d1", "s3", "10.0.0.2", 201),
        }.SelectMany(e => detectors.Read(e, Policy)));
        Assert.Empty(detectors.TakeDevicesToAsk());
        Assert.Null(detectors.NextDue);

        // and judged with nothing live at all (the new one gone too): no clone
        var gone = Read([Session(MonitoredEventKind.Connected, "d1", "s1", "a", 0), Session(MonitoredEventKind.Connected, "d1", "s2", "b", 1)]);
        Assert.Null(gone.Judge(Assert.Single(gone.TakeDue(DateTimeOffset.MaxValue)), [], Later));
    }

    [Fact]
    public void Only_the_end_of_an_earlier_session_drops_a_suspicion_not_the_end_of_the_new_one()
    {
        var a = Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0);
        var b = Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 1);
        var bEnds = Session(MonitoredEventKind.Disconnected, "d1", "s2", "10.0.0.2", 2);
        var c = Session(MonitoredEventKind.Connected, "d1", "s3", "10.0.0.3", 3);
        var detectors = Read([a, b, bEnds, c]);
        Assert.Equal(["d1"], detectors.TakeDevicesToAsk());
        var due = detectors.TakeDue(DateTimeOffset.MaxValue);
        Assert.Equal(["s2", "s3"], due.Select(s => s.Connected.SessionId));
        Assert.Equal(["s1"], due[0].Earlier.Keys);
        Assert.Equal(["s1"], due[1].Earlier.Keys.Order());
        Assert.All(due, s => Assert.NotNull(detectors.Judge(s, ["s1", "s3"], Later)));

        // three live at once: the last one's suspicion names both earlier ones, and the end of one leaves the other
        var three = Read([a, b, c, Session(MonitoredEventKind.Disconnected, "d1", "s1", "10.0.0.1", 4)]);
        var last = three.TakeDue(DateTimeOffset.MaxValue).Single(s => s.Connected.SessionId == "s3");
        Assert.Equal(["s2"], last.Earlier.Keys);
        Assert.Equal("10.0.0.2, 10.0.0.3", three.Judge(last, ["s2", "s3"], Later)!.Evidence["addresses"]);
    }

    [Fact]
    public void A_second_holder_that_came_and_went_is_a_clone_suspicion_even_heard_before_the_session_it_met()
    {
        // the genuine session s1 from 0 s; a clone on another silo from 1 s to 2 s, its silo heard first
        var genuine = Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0);
        var clone = Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 1);
        var cloneLeaves = Session(MonitoredEventKind.Disconnected, "d1", "s2", "10.0.0.2", 2);
        foreach (var order in Permutations([genuine, clone, cloneLeaves]).Where(o => o.IndexOf(clone) < o.IndexOf(cloneLeaves)))
        {
            var detectors = Read(order);
            Assert.Equal(["d1"], detectors.TakeDevicesToAsk());
            var suspicion = Assert.Single(detectors.TakeDue(DateTimeOffset.MaxValue));
            Assert.Equal(("s2", "s1"), (suspicion.Connected.SessionId, Assert.Single(suspicion.Earlier.Keys)));
            Assert.Equal("10.0.0.1, 10.0.0.2", detectors.Judge(suspicion, ["s1"], Later)!.Evidence["addresses"]);
        }
    }

    [Fact]
    public void An_earlier_session_heard_ending_after_the_grace_is_a_clone_suspicion_though_no_silo_holds_it_any_more()
    {
        var detectors = Read([
            Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0),
            Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 1),
            Session(MonitoredEventKind.Disconnected, "d1", "s1", "10.0.0.1", 1 + (int)Grace.TotalSeconds + 1),
        ]);
        Assert.NotNull(detectors.Judge(Assert.Single(detectors.TakeDue(DateTimeOffset.MaxValue)), ["s2"], Later));
    }

    /// <summary>
    /// The property over random histories: a device's sessions on three silos, each silo reporting its own in order but
    /// heard with a lag of its own (up to fifteen seconds, beyond the grace), so the silos' reports interleave any way. A clone suspicion is
    /// raised exactly when a session admitted before another was live when that one was admitted and outlived the grace
    /// after it (ended later, or still live at the end) — whether or not the later one lasted.
    /// </summary>
    [Fact]
    public void Over_random_histories_a_clone_is_found_exactly_when_an_earlier_session_outlives_the_grace_after_a_later_one()
    {
        var random = new Random(20261206);
        var (clones, quiet) = (0, 0);
        for (var history = 0; history < 2000; history++)
        {
            // sessions one after another with random gaps (negative: overlapping), some short, the last ones maybe live
            var sessions = new List<(string Id, int Silo, double Start, double? End)>();
            var at = 0.0;
            for (var i = 0; i < random.Next(2, 6); i++)
            {
                at += random.Next(4) switch { 0 => random.NextDouble() * 2, 1 => random.NextDouble() * 30, _ => 0.01 + random.NextDouble() * 0.5 };
                var length = random.Next(3) switch { 0 => random.NextDouble() * 3, 1 => random.NextDouble() * 25, _ => 60 + random.NextDouble() * 60 };
                sessions.Add(($"s{i}", random.Next(3), at, random.Next(4) == 0 ? null : at + length));
            }
            // a device moves: mostly its previous session has ended (or ends within a second) when the next is admitted
            var lag = Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 15).ToArray();
            var events = sessions.SelectMany(s => new[] { (s, Kind: MonitoredEventKind.Connected, At: s.Start) }
                    .Concat(s.End is { } end ? [(s, MonitoredEventKind.Disconnected, end)] : []))
                .OrderBy(x => x.At + lag[x.s.Silo]).ThenBy(x => x.At)
                .Select(x => new MonitoredEvent { Kind = x.Kind, Subject = "d1", SessionId = x.s.Id, Address = $"10.0.0.{x.s.Silo}", At = T0.AddSeconds(x.At) })
                .ToList();

            var detectors = Read(events);
            var live = sessions.Where(s => s.End is null).Select(s => s.Id).ToList();
            var found = detectors.TakeDue(DateTimeOffset.MaxValue).Select(s => detectors.Judge(s, live, Later)).OfType<Detection>().ToList();

            var expected = sessions.Any(x => sessions.Any(y => x.Start < y.Start && (x.End ?? double.MaxValue) > y.Start
                && (x.End ?? double.MaxValue) > y.Start + Grace.TotalSeconds));
            Assert.True(expected == found.Count > 0,
                $"history {history}: expected {(expected ? "a clone" : "none")}, found {found.Count}: {string.Join("; ", sessions.Select(s => $"{s.Id}@{s.Silo} {s.Start:F2}-{s.End:F2}"))}");
            if (expected) clones++;
            else quiet++;
        }
        Assert.True(clones > 200 && quiet > 200, $"{clones} histories with a clone, {quiet} without");
    }

    [Fact]
    public void A_device_that_reconnects_from_a_new_address_after_disconnecting_is_not_a_clone()
    {
        var detectors = Read([
            Session(MonitoredEventKind.Connected, "d1", "s1", "10.0.0.1", 0),
            Session(MonitoredEventKind.Disconnected, "d1", "s1", "10.0.0.1", 5),
            Session(MonitoredEventKind.Connected, "d1", "s2", "10.0.0.2", 6),
            Session(MonitoredEventKind.Connected, "d2", "s3", "10.0.0.1", 7),
        ]);
        Assert.Empty(detectors.TakeDevicesToAsk());
        Assert.Null(detectors.NextDue);
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

    [Fact]
    public void A_failure_without_a_group_counts_under_the_devices_last_group_while_it_is_within_the_longest_window()
    {
        var policy = Policy with { AttestationFailureThreshold = 2, AttestationFailureWindow = TimeSpan.FromMinutes(5) };
        var longest = new[] { policy.AttestationFailureWindow, policy.EnrollmentBurstWindow, policy.RetryWindow }.Max();
        var failure = $"refused:{ProvisioningError.QuoteInvalid}";
        foreach (var (quiet, key) in new[] { (longest - TimeSpan.FromSeconds(1), $"g/{ProvisioningError.QuoteInvalid}"), (longest + Detectors.SweepInterval, $"/{ProvisioningError.QuoteInvalid}") })
        {
            var detectors = new Detectors();
            var seconds = (int)quiet.TotalSeconds;
            var found = new[]
            {
                Decision("d1", "attest", "issued", 0, 1, (MonitoredDetails.Mode, "enroll"), (MonitoredDetails.Group, "g")),
                Decision("d2", "attest", failure, seconds, 2, (MonitoredDetails.Group, "g")),
                // d1 names no group: it counts under the one it was last seen with, unless that was longer ago than any window
                Decision("d1", "attest", failure, seconds + 1, 3),
                Decision("d3", "attest", failure, seconds + 2, 4),
            }.SelectMany(e => detectors.Read(e, policy)).ToList();
            Assert.Equal([key], found.Select(d => d.Key));
        }
    }

    [Fact]
    public void What_the_detectors_remember_stays_within_the_longest_window_however_many_devices_and_addresses_are_heard()
    {
        var policy = Policy with { EnrollmentBurstThreshold = 1_000_000, AttestationFailureThreshold = 1_000_000, RevokedRetryThreshold = 1_000_000 };
        var longest = new[] { policy.AttestationFailureWindow, policy.EnrollmentBurstWindow, policy.RetryWindow }.Max();
        const int PerSecond = 10;
        var detectors = new Detectors();
        var most = 0;
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var second = i / PerSecond;
            var e = (i % 3) switch
            {
                0 => Decision($"d{i}", "attest", "issued", second, i, (MonitoredDetails.Mode, "enroll"), (MonitoredDetails.Group, $"g{random.Next(5)}"),
                    (MonitoredDetails.Address, $"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")),
                1 => Decision($"d{i}", "attest", $"refused:{ProvisioningError.QuoteInvalid}", second, i, (MonitoredDetails.Group, $"g{random.Next(5)}")),
                _ => Decision($"d{i}", "register", $"refused:{ProvisioningError.Revoked}", second, i),
            };
            Assert.Empty(detectors.Read(e, policy));
            most = Math.Max(most, detectors.Remembered);
        }
        // each device's group and each address's and revoked device's window are kept for at most the longest window and one sweep
        var bound = (int)((longest + Detectors.SweepInterval).TotalSeconds * PerSecond) * 2 + 20;
        Assert.InRange(most, 1, bound);
        Assert.True(bound < 20_000 / 2, "the stream must outlast the bound for the test to mean anything");

        // after a quiet hour one event leaves only its own windows and group
        Assert.Empty(detectors.Read(Decision("late", "attest", "issued", 20_000 / PerSecond + 3600, 0,
            (MonitoredDetails.Mode, "enroll"), (MonitoredDetails.Group, "g0"), (MonitoredDetails.Address, "192.0.2.1")), policy));
        Assert.Equal(3, detectors.Remembered);
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
