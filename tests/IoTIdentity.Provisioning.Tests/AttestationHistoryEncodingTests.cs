using System.Collections.Immutable;
using System.Text;
using IoTIdentity.Provisioning.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A device's attestation history keeps one PCR map while the values do not change, so its state (serialized whole on
/// every write) does not carry the same PCR values once per attestation.
/// </summary>
public sealed class AttestationHistoryEncodingTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static ImmutableDictionary<int, string> Pcrs(char fill) =>
        Enumerable.Range(0, 8).ToImmutableDictionary(i => i, i => new string(fill, 63) + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    private static AttestationRecord Record(ImmutableDictionary<int, string> pcrs, int n) =>
        new() { At = DateTimeOffset.UnixEpoch.AddDays(n), Pcrs = pcrs, Mode = "renew", SerialNumber = $"serial-{n}" };

    /// <summary>The history after <paramref name="renewals"/> attestations quoting <paramref name="pcrsOf"/>, built as the issuance builds it.</summary>
    private static DeviceState History(int renewals, Func<int, ImmutableDictionary<int, string>> pcrsOf)
    {
        var state = new DeviceState();
        for (var n = 0; n < renewals; n++)
        {
            var record = Record(AttestationRecord.SharePcrs(pcrsOf(n), state.LastAttestation), n);
            state = state with { LastAttestation = record, Attestations = AttestationRecord.Append(state.Attestations, record) };
        }
        return state;
    }

    private static int Occurrences(byte[] encoded, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var count = 0;
        for (var at = encoded.AsSpan(); at.IndexOf(needle) is var i and >= 0; at = at[(i + needle.Length)..]) count++;
        return count;
    }

    [Fact]
    public void Unchanged_PCRs_are_shared_with_the_previous_attestation_and_changed_ones_are_not()
    {
        var previous = Record(Pcrs('a'), 0);
        Assert.Same(previous.Pcrs, AttestationRecord.SharePcrs(Pcrs('a'), previous));
        var changed = Pcrs('a').SetItem(7, new string('b', 64));
        Assert.Same(changed, AttestationRecord.SharePcrs(changed, previous));
        var fewer = Pcrs('a').Remove(7);
        Assert.Same(fewer, AttestationRecord.SharePcrs(fewer, previous));
        var first = Pcrs('a');
        Assert.Same(first, AttestationRecord.SharePcrs(first, null));
    }

    [Fact]
    public void A_history_of_unchanged_PCRs_encodes_their_values_once_and_reads_back_whole()
    {
        var state = History(AttestationRecord.HistoryLimit, _ => Pcrs('a'));
        var encoded = Serializer.SerializeToArray(state);
        Assert.Equal(1, Occurrences(encoded, Pcrs('a')[3]));

        var read = Serializer.Deserialize<DeviceState>(encoded)!;
        Assert.Equal(AttestationRecord.HistoryLimit, read.Attestations.Count);
        Assert.All(read.Attestations, a => Assert.Equal(Pcrs('a'), a.Pcrs));
        // read back, the history still shares the map, so the next attestation with the same values shares it too
        Assert.Same(read.LastAttestation!.Pcrs, AttestationRecord.SharePcrs(Pcrs('a'), read.LastAttestation));
        Assert.Same(read.Attestations[0].Pcrs, read.LastAttestation!.Pcrs);
    }

    [Fact]
    public void A_history_whose_PCRs_change_encodes_each_set_of_values()
    {
        var state = History(4, n => Pcrs(n < 2 ? 'a' : 'c'));
        var encoded = Serializer.SerializeToArray(state);
        Assert.Equal(1, Occurrences(encoded, Pcrs('a')[3]));
        Assert.Equal(1, Occurrences(encoded, Pcrs('c')[3]));
        Assert.Equal(["a", "a", "c", "c"], Serializer.Deserialize<DeviceState>(encoded)!.Attestations.Select(a => a.Pcrs[0][..1]));
    }
}
