using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Protocol.Ownership;

namespace IoTIdentity.Protocol.Tests;

/// <summary>The ownership record: built by the same code the service uses, checked by the public verifier.</summary>
public sealed class OwnershipChainTests : IDisposable
{
    private const string Device = "3f1c0a9e2b7d4c6a8e0f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, ECDsa> _keys = new()
    {
        ["acme"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
        ["globex"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
        ["initech"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
    }

    private Func<byte[], Task<byte[]>> SignerOf(string tenant) => bytes => Task.FromResult(OwnershipEntries.Sign(_keys[tenant], bytes));

    /// <summary>acme enrols the device, hands it to globex, which hands it to initech.</summary>
    private async Task<OwnershipDocument> ThreeOwnersAsync()
    {
        var entries = new List<OwnershipEntry>();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "acme", null, T0, SignerOf("acme")));
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "acme", "globex", T0.AddDays(1), SignerOf("acme")));
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "globex", "initech", T0.AddDays(2), SignerOf("globex")));
        return Document(entries);
    }

    private OwnershipDocument Document(IReadOnlyList<OwnershipEntry> entries) => new()
    {
        DeviceId = Device, Entries = entries, Owners = _keys.ToDictionary(k => k.Key, k => k.Value.ExportSubjectPublicKeyInfoPem()),
    };

    /// <summary>Replaces entry <paramref name="index"/> and re-signs it with <paramref name="signer"/>'s real key (a forgery by an insider).</summary>
    private OwnershipDocument Resigned(OwnershipDocument document, int index, Func<OwnershipEntry, OwnershipEntry> change, string? signer = null)
    {
        var entries = document.Entries.ToList();
        var changed = change(entries[index]);
        var key = _keys[signer ?? changed.SignerTenantId];
        entries[index] = changed with { Signature = Base64Url.EncodeToString(OwnershipEntries.Sign(key, OwnershipEntries.SignedBytes(changed))) };
        return document with { Entries = entries };
    }

    private static void AssertFails(OwnershipVerification result, OwnershipFailure failure, int? entry)
    {
        Assert.False(result.IsValid);
        Assert.Equal(failure, result.Failure);
        Assert.Equal(entry, result.FailedEntry);
    }

    [Fact]
    public async Task A_chain_of_three_owners_verifies_and_names_them_in_order()
    {
        var result = OwnershipChainVerifier.Verify(await ThreeOwnersAsync(), _keys);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(["acme", "globex", "initech"], result.Owners);
        Assert.False(result.UsedEmbeddedKeys);
    }

    [Fact]
    public async Task Without_trusted_keys_the_embedded_keys_are_used_and_the_result_says_so()
    {
        var result = OwnershipChainVerifier.Verify(await ThreeOwnersAsync(), null);

        Assert.True(result.IsValid, result.Detail);
        Assert.True(result.UsedEmbeddedKeys);
    }

    [Fact]
    public async Task A_document_survives_a_JSON_round_trip_byte_for_byte_and_still_verifies()
    {
        var document = await ThreeOwnersAsync();
        var json = document.ToJson();

        var parsed = OwnershipDocument.Parse(json);

        Assert.Equal(json, parsed.ToJson());
        Assert.True(OwnershipChainVerifier.Verify(parsed, null).IsValid);
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"previousEntryHash\":\"\"", text);
        Assert.Contains("\"ownerTenantId\":\"acme\"", text);
    }

    [Fact]
    public void Parse_refuses_bytes_that_are_not_JSON_with_a_format_error()
    {
        var error = Assert.Throws<OwnershipFormatException>(() => OwnershipDocument.Parse("{not json"u8));
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Fact]
    public void Parse_refuses_a_document_without_entries()
    {
        Assert.Throws<OwnershipFormatException>(() => OwnershipDocument.Parse("""{"deviceId":"d"}"""u8));
    }

    [Fact]
    public async Task Parse_refuses_an_entry_whose_signature_is_not_base64url()
    {
        var json = Encoding.UTF8.GetString((await ThreeOwnersAsync()).ToJson());
        var broken = System.Text.RegularExpressions.Regex.Replace(json, "\"signature\":\"[^\"]*\"", "\"signature\":\"***\"");

        Assert.Throws<OwnershipFormatException>(() => OwnershipDocument.Parse(Encoding.UTF8.GetBytes(broken)));
    }

    [Fact]
    public async Task Parse_refuses_an_entry_with_a_missing_required_field()
    {
        var json = Encoding.UTF8.GetString((await ThreeOwnersAsync()).ToJson()).Replace("\"signerTenantId\":\"acme\",", "", StringComparison.Ordinal);

        Assert.Throws<OwnershipFormatException>(() => OwnershipDocument.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Verification_fails_when_the_chain_is_empty()
    {
        AssertFails(OwnershipChainVerifier.Verify(Document([]), _keys), OwnershipFailure.Empty, null);
    }

    [Fact]
    public async Task Verification_fails_when_an_entry_names_another_device()
    {
        var document = Resigned(await ThreeOwnersAsync(), 1, e => e with { DeviceId = new string('a', 64) });
        AssertFails(OwnershipChainVerifier.Verify(document, _keys), OwnershipFailure.WrongDevice, 1);
    }

    [Fact]
    public async Task Verification_fails_with_a_sequence_gap_when_a_middle_entry_is_removed()
    {
        var document = await ThreeOwnersAsync();
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = [document.Entries[0], document.Entries[2]] }, _keys), OwnershipFailure.SequenceGap, 1);
    }

    [Fact]
    public async Task Verification_fails_with_a_sequence_gap_when_entries_are_reordered()
    {
        var document = await ThreeOwnersAsync();
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = [document.Entries[0], document.Entries[2], document.Entries[1]] }, _keys),
            OwnershipFailure.SequenceGap, 1);
    }

    [Fact]
    public async Task Verification_fails_with_a_broken_hash_link_when_an_earlier_entry_was_replaced_by_a_validly_signed_one()
    {
        // acme rewrites its own enrolment entry (a new time, re-signed with its real key): entry 1 no longer links to it
        var document = Resigned(await ThreeOwnersAsync(), 0, e => e with { At = e.At.AddMinutes(-5) });
        AssertFails(OwnershipChainVerifier.Verify(document, _keys), OwnershipFailure.BrokenHashLink, 1);
    }

    [Fact]
    public async Task Verification_fails_with_a_broken_hash_link_when_the_first_entry_claims_a_predecessor()
    {
        var document = Resigned(await ThreeOwnersAsync(), 0, e => e with { PreviousEntryHash = Base64Url.EncodeToString(new byte[32]) });
        AssertFails(OwnershipChainVerifier.Verify(document, _keys), OwnershipFailure.BrokenHashLink, 0);
    }

    [Fact]
    public async Task Verification_fails_when_an_entry_is_dated_before_the_previous_one()
    {
        var document = await ThreeOwnersAsync();
        var entries = document.Entries.Take(2).ToList();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "globex", "initech", T0.AddHours(1), SignerOf("globex")));
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = entries }, _keys), OwnershipFailure.TimeReversed, 2);
    }

    [Fact]
    public async Task Verification_fails_when_an_entry_is_made_by_someone_who_did_not_own_the_device()
    {
        // initech, never the owner, appends a validly linked and self-signed entry handing the device to itself from acme
        var document = await ThreeOwnersAsync();
        var entries = document.Entries.Take(2).ToList();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "initech", "acme", T0.AddDays(3), SignerOf("initech")));
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = entries }, _keys), OwnershipFailure.OwnerMismatch, 2);
    }

    [Fact]
    public async Task Verification_fails_when_the_first_entry_has_a_next_owner()
    {
        var entries = new List<OwnershipEntry>();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "acme", "globex", T0, SignerOf("acme")));
        AssertFails(OwnershipChainVerifier.Verify(Document(entries), _keys), OwnershipFailure.InvalidNextOwner, 0);
    }

    [Fact]
    public async Task Verification_fails_when_a_transfer_names_no_next_owner()
    {
        var document = await ThreeOwnersAsync();
        var entries = document.Entries.Take(2).ToList();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "globex", null, T0.AddDays(3), SignerOf("globex")));
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = entries }, _keys), OwnershipFailure.InvalidNextOwner, 2);
    }

    [Fact]
    public async Task Verification_fails_when_an_entry_is_signed_by_the_next_owner_instead_of_the_previous_one()
    {
        // globex signs its own acquisition with its real key and names itself as signer
        var document = Resigned(await ThreeOwnersAsync(), 1, e => e with { SignerTenantId = "globex" });
        AssertFails(OwnershipChainVerifier.Verify(document, _keys), OwnershipFailure.SignerNotOwner, 1);
    }

    [Fact]
    public async Task Verification_fails_when_no_key_is_known_for_the_signer()
    {
        var trusted = _keys.Where(k => k.Key != "globex").ToDictionary(k => k.Key, k => k.Value);
        AssertFails(OwnershipChainVerifier.Verify(await ThreeOwnersAsync(), trusted), OwnershipFailure.UnknownSignerKey, 2);
    }

    [Fact]
    public async Task Verification_fails_when_an_embedded_key_is_not_a_P256_key()
    {
        var document = await ThreeOwnersAsync();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var owners = document.Owners.ToDictionary(k => k.Key, k => k.Value);
        owners["acme"] = p384.ExportSubjectPublicKeyInfoPem();
        AssertFails(OwnershipChainVerifier.Verify(document with { Owners = owners }, null), OwnershipFailure.InvalidOwnerKey, 0);
    }

    [Fact]
    public async Task Verification_fails_with_a_bad_signature_when_a_signed_field_is_tampered_with()
    {
        var document = await ThreeOwnersAsync();
        var entries = document.Entries.ToList();
        entries[2] = entries[2] with { NextOwnerTenantId = "mallory" };
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = entries }, _keys), OwnershipFailure.BadSignature, 2);
    }

    [Fact]
    public async Task Verification_fails_with_a_bad_signature_when_an_entry_is_forged_with_a_stranger_key_under_the_owner_name()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var document = await ThreeOwnersAsync();
        var entries = document.Entries.Take(2).ToList();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "globex", "initech", T0.AddDays(2), b => Task.FromResult(OwnershipEntries.Sign(stranger, b))));
        AssertFails(OwnershipChainVerifier.Verify(document with { Entries = entries }, _keys), OwnershipFailure.BadSignature, 2);
    }

    [Fact]
    public async Task A_forger_who_swaps_the_embedded_key_is_caught_when_the_verifier_brings_trusted_keys()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var document = await ThreeOwnersAsync();
        var entries = document.Entries.Take(2).ToList();
        entries.Add(await OwnershipEntries.AppendAsync(entries, Device, "globex", "mallory", T0.AddDays(2), b => Task.FromResult(OwnershipEntries.Sign(stranger, b))));
        var owners = document.Owners.ToDictionary(k => k.Key, k => k.Value);
        owners["globex"] = stranger.ExportSubjectPublicKeyInfoPem();
        var forged = document with { Entries = entries, Owners = owners };

        Assert.True(OwnershipChainVerifier.Verify(forged, null).IsValid);   // self-consistent, which is all embedded keys can show
        AssertFails(OwnershipChainVerifier.Verify(forged, _keys), OwnershipFailure.BadSignature, 2);
    }

    [Fact]
    public async Task A_truncated_chain_still_verifies_but_names_only_the_owners_it_contains()
    {
        // truncation is only detectable against the current owner: the service exports the whole chain to the current owner
        var document = await ThreeOwnersAsync();
        var result = OwnershipChainVerifier.Verify(document with { Entries = document.Entries.Take(2).ToList() }, _keys);

        Assert.True(result.IsValid);
        Assert.Equal(["acme", "globex"], result.Owners);
    }

    [Fact]
    public async Task The_signed_bytes_are_domain_separated_and_length_prefixed()
    {
        var entry = (await ThreeOwnersAsync()).Entries[1];
        var bytes = OwnershipEntries.SignedBytes(entry);

        Assert.StartsWith("iotid-ownership-v1", Encoding.ASCII.GetString(bytes));
        // moving a character between adjacent text fields changes the bytes
        var shifted = entry with { OwnerTenantId = "acmeg", NextOwnerTenantId = "lobex" };
        Assert.NotEqual(bytes, OwnershipEntries.SignedBytes(shifted));
    }
}
