namespace IoTIdentity.Provisioning.Storage.Tests.Contract;

public abstract partial class ProvisioningStoreContract
{
    [Fact]
    public async Task An_empty_audit_log_verifies()
    {
        var store = await StoreAsync();

        var verification = await store.VerifyAuditChainAsync(Unique("tenant"));

        Assert.Equal(new AuditChainVerification(true, 0, null, AuditChainFault.None, null), verification);
    }

    [Fact]
    public async Task An_audit_entry_reads_back_exactly_as_appended_and_hashed()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var auditEvent = Event("enrol", "device-9") with
        {
            Outcome = "refused:pcr-mismatch",
            EvidenceDigest = new string('A', 64),
            At = new DateTimeOffset(2026, 11, 22, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567),
            Details = new Dictionary<string, string> { ["serial"] = "0a1b", ["firmware"] = "1.4.2", ["note"] = "" },
        };

        var appended = await store.AppendAuditAsync(tenant, auditEvent);
        var read = Assert.Single(await store.ReadAuditAsync(tenant, 1, 10));

        Assert.Equal(1, appended.Sequence);
        Assert.Equal(AuditChain.GenesisHash, appended.PreviousHash);
        Assert.Equal(AuditChain.ComputeHash(tenant, 1, AuditChain.GenesisHash, auditEvent), appended.Hash);
        foreach (var entry in new[] { appended, read })
        {
            Assert.Equal(tenant, entry.TenantId);
            Assert.Equal(appended.Hash, entry.Hash);
            Assert.Equal("enrol", entry.Event.Action);
            Assert.Equal("device-9", entry.Event.Subject);
            Assert.Equal("refused:pcr-mismatch", entry.Event.Outcome);
            Assert.Equal(new string('a', 64), entry.Event.EvidenceDigest);
            Assert.Equal("device-9", entry.Event.Actor);
            Assert.Equal(auditEvent.At, entry.Event.At);
            Assert.Equal(TimeSpan.Zero, entry.Event.At.Offset);
            Assert.Equal(["firmware", "note", "serial"], entry.Event.Details!.Keys);
            Assert.Equal(["1.4.2", "", "0a1b"], entry.Event.Details.Values);
        }
    }

    [Fact]
    public async Task Reading_by_subject_returns_exactly_that_subjects_entries_of_that_tenant_in_order_from_every_starting_point()
    {
        var store = await StoreAsync();
        var (tenant, other) = (Unique("tenant"), Unique("tenant"));
        string[] subjects = ["device-a", "device-b", "key-c"];
        var random = new Random(15);
        for (var i = 0; i < 24; i++)
        {
            var subject = subjects[random.Next(subjects.Length)];
            await store.AppendAuditAsync(tenant, Event("enrol", subject, i));
            await store.AppendAuditAsync(other, Event("enrol", subject, i));
        }
        var all = await store.ReadAuditAsync(tenant, 1, 100);

        foreach (var subject in subjects.Append("nobody"))
            for (var from = 1L; from <= all.Count + 1; from++)
                foreach (var max in new[] { 1, 3, 100 })
                {
                    var expected = all.Where(e => e.Event.Subject == subject && e.Sequence >= from).Take(max).ToList();
                    var read = await store.ReadAuditBySubjectAsync(tenant, subject, from, max);
                    Assert.Equal(expected.Select(e => (e.Sequence, e.Hash)), read.Select(e => (e.Sequence, e.Hash)));
                    Assert.All(read, e => Assert.Equal(tenant, e.TenantId));
                }
    }

    [Fact]
    public async Task Reading_by_subject_with_malformed_arguments_is_refused()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditBySubjectAsync(tenant, "", 1, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditBySubjectAsync(tenant, new string('s', 257), 1, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditBySubjectAsync("", "device-1", 1, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditBySubjectAsync(tenant, "device-1", 0, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditBySubjectAsync(tenant, "device-1", 1, 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditBySubjectAsync(tenant, "device-1", 1, StoreLimits.MaxPageSize + 1));
    }

    [Fact]
    public async Task An_event_without_evidence_or_details_is_appended()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");

        await store.AppendAuditAsync(tenant, Event("revoke") with { EvidenceDigest = null, Details = new Dictionary<string, string>() });
        var read = Assert.Single(await store.ReadAuditAsync(tenant, 1, 10));

        Assert.Null(read.Event.EvidenceDigest);
        Assert.Null(read.Event.Details);
        Assert.True((await store.VerifyAuditChainAsync(tenant)).IsValid);
    }

    [Fact]
    public async Task Malformed_audit_events_are_refused()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var tooMany = Enumerable.Range(0, StoreLimits.MaxAuditDetails + 1).ToDictionary(i => $"k{i}", i => "v");
        AuditEvent[] malformed =
        [
            Event("enrol") with { EvidenceDigest = "not hex" },
            Event("enrol") with { EvidenceDigest = new string('a', 63) },
            Event("enrol") with { Outcome = "" },
            Event("enrol") with { Details = tooMany },
            Event("enrol") with { Details = new Dictionary<string, string> { ["k"] = new('v', StoreLimits.MaxAuditDetailValueLength + 1) } },
        ];

        foreach (var auditEvent in malformed)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAuditAsync(tenant, auditEvent));
        }

        Assert.Empty(await store.ReadAuditAsync(tenant, 1, 10));
    }

    [Fact]
    public async Task Each_audit_entry_links_to_the_hash_of_the_one_before()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");

        var appended = new List<AuditEntry>();
        for (var i = 0; i < 5; i++)
        {
            appended.Add(await store.AppendAuditAsync(tenant, Event("renew", n: i)));
        }

        Assert.Equal([1, 2, 3, 4, 5], appended.Select(e => e.Sequence));
        for (var i = 1; i < appended.Count; i++)
        {
            Assert.Equal(appended[i - 1].Hash, appended[i].PreviousHash);
        }

        Assert.Equal(new AuditChainVerification(true, 5, null, AuditChainFault.None, null),
            await store.VerifyAuditChainAsync(tenant));
    }

    [Fact]
    public async Task Reading_audit_from_a_sequence_returns_at_most_max_count_in_order()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        for (var i = 0; i < 6; i++)
        {
            await store.AppendAuditAsync(tenant, Event("renew", n: i));
        }

        Assert.Equal([3L, 4L], (await store.ReadAuditAsync(tenant, 3, 2)).Select(e => e.Sequence));
        Assert.Equal([5L, 6L], (await store.ReadAuditAsync(tenant, 5, 10)).Select(e => e.Sequence));
        Assert.Empty(await store.ReadAuditAsync(tenant, 7, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditAsync(tenant, 0, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditAsync(tenant, 1, 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAuditAsync(tenant, 1, StoreLimits.MaxPageSize + 1));
    }

    [Fact]
    public async Task Concurrent_audit_appends_form_one_gapless_chain()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");

        var appended = await RaceAsync(50, i => store.AppendAuditAsync(tenant, Event("enrol", $"device-{i}", i)));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), appended.Select(e => e.Sequence).Order());
        var read = await store.ReadAuditAsync(tenant, 1, StoreLimits.MaxPageSize);
        Assert.Equal(50, read.Count);
        Assert.Equal(
            Enumerable.Range(0, 50).Select(i => $"device-{i}").Order(),
            read.Select(e => e.Event.Subject).Order());
        Assert.Equal(new AuditChainVerification(true, 50, null, AuditChainFault.None, null),
            await store.VerifyAuditChainAsync(tenant));
    }

    [Fact]
    public async Task A_chain_longer_than_one_read_page_verifies()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        const int count = StoreLimits.MaxPageSize + 7;

        await RaceAsync(count, i => store.AppendAuditAsync(tenant, Event("renew", $"device-{i % 10}", i)));

        Assert.Equal(new AuditChainVerification(true, count, null, AuditChainFault.None, null),
            await store.VerifyAuditChainAsync(tenant));
    }

    [Fact]
    public async Task A_tampered_audit_entry_breaks_the_chain_at_its_sequence()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAuditAsync(tenant, Event("enrol", n: i));
        }

        await TamperAuditAsync(store, tenant, 3);
        var verification = await store.VerifyAuditChainAsync(tenant);

        Assert.False(verification.IsValid);
        Assert.Equal(3, verification.FirstBrokenSequence);
        Assert.Equal(AuditChainFault.HashMismatch, verification.Fault);
        Assert.Equal(3, verification.EntriesChecked);
        Assert.Contains("altered", verification.Reason);
    }
}
