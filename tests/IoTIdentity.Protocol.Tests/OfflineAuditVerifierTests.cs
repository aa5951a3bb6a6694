using System.Security.Cryptography;
using IoTIdentity.Protocol.Audit;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Protocol.Tests;

public sealed class OfflineAuditVerifierTests : IDisposable
{
    private const string Tenant = "acme";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly AuditCheckpointKey _published;

    public OfflineAuditVerifierTests() => _published = AuditCheckpoints.Describe("k1", _key);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void An_untouched_export_verifies_against_its_checkpoint_and_counts_later_entries()
    {
        var log = Chain(8);
        var result = OfflineAuditVerifier.Verify(log, Checkpoint(log, 6), _published);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(8, result.EntriesChecked);
        Assert.Equal(2, result.EntriesAfterCheckpoint);
    }

    [Fact]
    public void A_rewritten_and_rehashed_suffix_is_caught_at_the_checkpoint_head_from_every_starting_point()
    {
        var log = Chain(6);
        var checkpoint = Checkpoint(log, 6);
        for (var from = 1; from <= 6; from++)
        {
            var rewritten = Rehash(log.Select(e => e.Sequence >= from ? e with { Event = e.Event with { Outcome = "allowed", Actor = "someone-else" } } : e).ToList());
            Assert.Equal(AuditTampering.HeadMismatch, OfflineAuditVerifier.Verify(rewritten, checkpoint, _published).Tampering);
        }
    }

    [Fact]
    public void A_dropped_entry_is_caught_wherever_it_was()
    {
        var log = Chain(6);
        var checkpoint = Checkpoint(log, 6);
        for (var dropped = 1; dropped <= 5; dropped++)
        {
            var result = OfflineAuditVerifier.Verify(log.Where(e => e.Sequence != dropped).ToList(), checkpoint, _published);
            Assert.Equal(AuditTampering.Dropped, result.Tampering);
            Assert.Equal(dropped, result.Sequence);
        }
    }

    [Fact]
    public void A_dropped_entry_hidden_by_renumbering_and_rehashing_is_caught_at_the_checkpoint()
    {
        var log = Chain(6);
        var renumbered = Rehash(log.Where(e => e.Sequence != 3).Select((e, i) => e with { Sequence = i + 1 }).ToList());

        Assert.Equal(AuditTampering.Truncated, OfflineAuditVerifier.Verify(renumbered, Checkpoint(log, 6), _published).Tampering);
        Assert.Equal(AuditTampering.HeadMismatch, OfflineAuditVerifier.Verify(renumbered, Checkpoint(log, 5), _published).Tampering);
    }

    [Fact]
    public void A_reordered_entry_is_caught_for_every_pair_of_positions()
    {
        var log = Chain(5);
        var checkpoint = Checkpoint(log, 5);
        for (var i = 0; i < log.Count; i++)
        {
            for (var j = i + 1; j < log.Count; j++)
            {
                var swapped = log.ToList();
                (swapped[i], swapped[j]) = (swapped[j], swapped[i]);
                Assert.Equal(AuditTampering.Reordered, OfflineAuditVerifier.Verify(swapped, checkpoint, _published).Tampering);
            }
        }
    }

    [Fact]
    public void A_truncated_tail_is_caught_however_much_was_cut()
    {
        var log = Chain(6);
        var checkpoint = Checkpoint(log, 6);
        for (var kept = 0; kept < 6; kept++)
        {
            var result = OfflineAuditVerifier.Verify(log.Take(kept).ToList(), checkpoint, _published);
            Assert.Equal(AuditTampering.Truncated, result.Tampering);
            Assert.Equal(kept + 1, result.Sequence);
        }
    }

    [Fact]
    public void An_entry_altered_without_rehashing_is_caught_at_that_entry()
    {
        var log = Chain(4);
        var altered = log.Select(e => e.Sequence == 2 ? e with { Event = e.Event with { Subject = "device-other" } } : e).ToList();

        var result = OfflineAuditVerifier.Verify(altered, Checkpoint(log, 4), _published);

        Assert.Equal(AuditTampering.EntryAltered, result.Tampering);
        Assert.Equal(2, result.Sequence);
    }

    [Fact]
    public void An_entry_of_another_tenant_is_caught()
    {
        var log = Chain(3);
        var mixed = log.Select(e => e.Sequence == 2 ? e with { TenantId = "other" } : e).ToList();

        Assert.Equal(AuditTampering.WrongTenant, OfflineAuditVerifier.Verify(mixed, Checkpoint(log, 3), _published).Tampering);
    }

    [Fact]
    public void A_checkpoint_with_any_field_changed_or_signed_by_another_key_proves_nothing()
    {
        var log = Chain(4);
        var checkpoint = Checkpoint(log, 4);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgeries = new[]
        {
            checkpoint with { Size = 3 },
            checkpoint with { HeadHash = log[2].Hash },
            checkpoint with { TenantId = "other" },
            checkpoint with { At = checkpoint.At.AddSeconds(1) },
            checkpoint with { Signature = "not base64!" },
            AuditCheckpoints.Sign(other, "k1", Tenant, 4, log[3].Hash, checkpoint.At),
        };
        foreach (var forged in forgeries)
            Assert.Equal(AuditTampering.BadSignature, OfflineAuditVerifier.Verify(log, forged, _published).Tampering);

        Assert.Equal(AuditTampering.UnknownKey, OfflineAuditVerifier.Verify(log, checkpoint with { KeyId = "k2" }, _published).Tampering);
    }

    [Fact]
    public void The_checkpoint_signature_is_plain_ecdsa_over_the_documented_bytes()
    {
        var log = Chain(2);
        var checkpoint = Checkpoint(log, 2);
        var bytes = AuditCheckpoints.SignedBytes(Tenant, 2, log[1].Hash, checkpoint.At, "k1");

        Assert.True(_key.VerifyData(bytes, Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal("iotidentity-audit-checkpoint-v1"u8.ToArray(), bytes[..31]);
    }

    private AuditCheckpoint Checkpoint(IReadOnlyList<AuditEntryView> log, int size) =>
        AuditCheckpoints.Sign(_key, "k1", Tenant, size, size == 0 ? AuditHash.GenesisHash : log[size - 1].Hash, Start.AddHours(1));

    private static List<AuditEntryView> Chain(int count) => Rehash(Enumerable.Range(1, count).Select(i => new AuditEntryView(Tenant, i,
        new AuditEventView("register", $"device-{i % 3}", i % 2 == 0 ? "allowed" : "refused:NotEnrolled", null, "device", Start.AddMinutes(i),
            new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }), "", "")).ToList());

    private static List<AuditEntryView> Rehash(IReadOnlyList<AuditEntryView> entries)
    {
        var previous = AuditHash.GenesisHash;
        var result = new List<AuditEntryView>();
        foreach (var entry in entries)
        {
            var linked = entry with { PreviousHash = previous };
            linked = linked with { Hash = AuditHash.Compute(linked.TenantId, linked.Sequence, previous, linked.Event) };
            result.Add(linked);
            previous = linked.Hash;
        }
        return result;
    }
}
