namespace IoTIdentity.Provisioning.Storage.Tests;

public sealed class AuditChainTests
{
    // Expected hashes come from an independent Python implementation of the encoding documented on AuditChain
    // and in docs/storage.md:
    //
    //   def s(x): return b'\xff\xff\xff\xff' if x is None else struct.pack('>I', len(x.encode())) + x.encode()
    //   m = b'iotidentity-audit-v1' + struct.pack('>Q', seq) + bytes.fromhex(prev)
    //   m += s(tenant) + s(action) + s(subject) + s(outcome) + s(digest) + s(actor)
    //   m += struct.pack('>q', utc_ticks) + struct.pack('>I', len(details))
    //   for k in sorted(details): m += s(k) + s(details[k])
    //   hashlib.sha256(m).hexdigest()
    private static readonly AuditEvent Refusal = new()
    {
        Action = "enrol",
        Subject = "device-42",
        Outcome = "refused:pcr-mismatch",
        EvidenceDigest = "EE8250FB76E094B34B471F13A73DBBE51D1AE142E9DF59D7C0D31EC20F0A0A8E", // SHA-256("evidence")
        Actor = "device-42",
        At = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(60007),
        Details = new Dictionary<string, string> { ["ünï"] = "ç", ["serial"] = "0a1b", ["firmware"] = "1.2.3" },
    };

    private static readonly AuditEvent Revocation = new()
    {
        Action = "revoke",
        Subject = "device-7",
        Outcome = "allowed",
        Actor = "api-key:ops",
        At = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero),
    };

    [Fact]
    public void The_hash_matches_an_independent_implementation_of_the_documented_encoding()
    {
        Assert.Equal(
            "030ea2f3ffc49286b0211bfdf8d10035d83c11288e2028ff2d6ccd0d883d98ac",
            AuditChain.ComputeHash("tenant-1", 2, new string('1', 64), Refusal));
        Assert.Equal(
            "0025bf02dc00cce9aa85c3a833a46f53b5d1de7849ce1c54f0268b3350e7825a",
            AuditChain.ComputeHash("tenant-1", 1, AuditChain.GenesisHash, Revocation));
    }

    [Fact]
    public void Normalizing_an_event_does_not_change_its_hash()
    {
        var normalized = AuditChain.Normalize(Refusal);

        Assert.Equal(TimeSpan.Zero, normalized.At.Offset);
        Assert.Equal(Refusal.EvidenceDigest!.ToLowerInvariant(), normalized.EvidenceDigest);
        Assert.Equal(["firmware", "serial", "ünï"], normalized.Details!.Keys);
        Assert.Equal(
            AuditChain.ComputeHash("t", 1, AuditChain.GenesisHash, Refusal),
            AuditChain.ComputeHash("t", 1, AuditChain.GenesisHash, normalized));
    }

    [Fact]
    public void Every_field_and_the_link_are_covered_by_the_hash()
    {
        var hash = AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal);
        string[] variants =
        [
            AuditChain.ComputeHash("u", 5, AuditChain.GenesisHash, Refusal),
            AuditChain.ComputeHash("t", 6, AuditChain.GenesisHash, Refusal),
            AuditChain.ComputeHash("t", 5, new string('f', 64), Refusal),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { Action = "renew" }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { Subject = "device-43" }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { Outcome = "allowed" }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { EvidenceDigest = null }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { Actor = "system" }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { At = Refusal.At.AddTicks(1) }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { Details = null }),
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with
            {
                Details = new Dictionary<string, string> { ["serial"] = "0a1b", ["firmware"] = "1.2.4", ["ünï"] = "ç" },
            }),

            // Length prefixes keep field boundaries: moving a character from one field to the next changes the hash.
            AuditChain.ComputeHash("t", 5, AuditChain.GenesisHash, Refusal with { Action = "enro", Subject = "ldevice-42" }),
        ];

        Assert.DoesNotContain(hash, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void An_intact_chain_verifies()
    {
        var chain = Chain("t", 4);

        Assert.Equal(new AuditChainVerification(true, 4, null, AuditChainFault.None, null), AuditChain.Verify("t", chain));
    }

    [Fact]
    public void An_entry_of_another_tenant_breaks_the_chain()
    {
        var chain = Chain("t", 3);
        chain[1] = chain[1] with { TenantId = "u" };

        var verification = AuditChain.Verify("t", chain);

        Assert.Equal((2L, AuditChainFault.WrongTenant), (verification.FirstBrokenSequence!.Value, verification.Fault));
    }

    [Fact]
    public void A_missing_entry_breaks_the_chain_at_the_missing_sequence()
    {
        var chain = Chain("t", 4);
        chain.RemoveAt(1);

        var verification = AuditChain.Verify("t", chain);

        Assert.Equal((2L, AuditChainFault.SequenceGap), (verification.FirstBrokenSequence!.Value, verification.Fault));
        Assert.Equal("Expected entry 2 but found entry 3.", verification.Reason);
    }

    [Fact]
    public void A_first_entry_that_does_not_start_from_genesis_breaks_the_chain()
    {
        var forged = AuditChain.CreateEntry("t", 1, new string('a', 64), Revocation);

        var verification = AuditChain.Verify("t", [forged]);

        Assert.Equal((1L, AuditChainFault.PreviousHashMismatch), (verification.FirstBrokenSequence!.Value, verification.Fault));
    }

    [Fact]
    public void An_altered_entry_breaks_the_chain_at_itself()
    {
        var chain = Chain("t", 4);
        chain[2] = chain[2] with { Event = chain[2].Event with { Outcome = "refused:quota" } };

        var verification = AuditChain.Verify("t", chain);

        Assert.Equal(new AuditChainVerification(false, 3, 3, AuditChainFault.HashMismatch, verification.Reason), verification);
    }

    [Fact]
    public void An_entry_whose_text_cannot_be_encoded_breaks_the_chain_instead_of_throwing()
    {
        var chain = Chain("t", 2);
        chain[1] = chain[1] with { Event = chain[1].Event with { Actor = "lone\uDC00" } };

        var verification = AuditChain.Verify("t", chain);

        Assert.Equal((2L, AuditChainFault.HashMismatch), (verification.FirstBrokenSequence!.Value, verification.Fault));
    }

    [Fact]
    public void A_walk_held_to_a_signed_head_passes_only_when_it_reaches_that_entry_with_its_hash_from_any_start()
    {
        var chain = Chain("t", 6);
        // another history of the same length: every entry from 3 on hashes differently
        var rewritten = Chain("t", 6);
        rewritten[2] = AuditChain.CreateEntry("t", 3, rewritten[1].Hash, Revocation with { Subject = "forged" });
        for (var i = 3; i < 6; i++) rewritten[i] = AuditChain.CreateEntry("t", i + 1, rewritten[i - 1].Hash, rewritten[i].Event);

        for (var size = 1; size <= 6; size++)
        for (var first = 1; first <= size; first++)
        {
            var signedHash = chain[size - 1].Hash;
            AuditChainVerification Walk(IEnumerable<AuditEntry> entries)
            {
                var verifier = new AuditChainVerifier("t", first, first == 1 ? AuditChain.GenesisHash : null, size, signedHash);
                return entries.Skip(first - 1).Select(verifier.Check).FirstOrDefault(v => v is not null) ?? verifier.Result();
            }
            var at = $"signed size {size}, walk from {first}";

            // the log as signed, and with entries appended after the head
            Assert.True(Walk(chain.Take(size)).IsValid, at);
            Assert.True(Walk(chain).IsValid, at);
            // cut back below the head, by one entry or to the walk's start: broken at the first entry missing
            for (var kept = first - 1; kept < size; kept++)
            {
                var cut = Walk(chain.Take(kept));
                Assert.Equal((false, (long?)kept + 1, AuditChainFault.SequenceGap), (cut.IsValid, cut.FirstBrokenSequence, cut.Fault));
                Assert.Equal($"The log ends before entry {size}, the head of its signed checkpoint.", cut.Reason);
            }
            // a history rewritten at or before the head and hashed onwards: every link holds, the head's hash does not
            if (size >= 3)
            {
                var forged = Walk(rewritten);
                Assert.False(forged.IsValid, at);
                Assert.Equal(((long)size, AuditChainFault.HashMismatch), (forged.FirstBrokenSequence!.Value, forged.Fault));
            }
        }
    }

    private static List<AuditEntry> Chain(string tenant, int count)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var entry = AuditChain.CreateEntry(tenant, i, previous, Revocation with { Subject = $"device-{i}" });
            entries.Add(entry);
            previous = entry.Hash;
        }

        return entries;
    }
}
