using System.Security.Cryptography;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// Replays an event log: for every bank and PCR, starting from the PCR's reset value, PCR = H(PCR || digest) for each
/// extended record in log order. EV_NO_ACTION records are not extended, except that a "StartupLocality" one in PCR 0
/// sets PCR 0's starting value to the locality (PC Client Platform Firmware Profile, §10.4.5.3).
/// </summary>
public static class EventLogReplay
{
    private static readonly byte[] StartupLocality = "StartupLocality\0"u8.ToArray();

    /// <summary>
    /// The value PCR <paramref name="index"/> holds after TPM2_Startup(CLEAR) on a PC Client TPM: all ones for the
    /// DRTM PCRs 17–22, zeros otherwise.
    /// </summary>
    public static byte[] ResetValue(TpmAlgId bank, int index)
    {
        var value = new byte[TpmHash.DigestSize(bank)];
        if (index is >= 17 and <= 22) value.AsSpan().Fill(0xFF);
        return value;
    }

    /// <summary>The replayed value of every bank and PCR the log extends, ordered by bank then index.</summary>
    public static IReadOnlyList<PcrValue> Replay(TcgEventLog log)
    {
        var pcrs = new SortedDictionary<(TpmAlgId Bank, int Index), byte[]>();
        byte? locality = null;
        foreach (var record in log.Events)
        {
            if (!record.IsExtended)
            {
                if (record.PcrIndex == 0 && record.Data.Length == StartupLocality.Length + 1 && record.Data.AsSpan().StartsWith(StartupLocality))
                    locality = record.Data[^1];
                continue;
            }
            foreach (var digest in record.Digests)
            {
                var key = (digest.Hash, record.PcrIndex);
                if (!pcrs.TryGetValue(key, out var value))
                {
                    value = ResetValue(digest.Hash, record.PcrIndex);
                    if (record.PcrIndex == 0 && locality is { } l) value[^1] = l;
                }
                using var hash = IncrementalHash.CreateHash(TpmHash.Name(digest.Hash));
                hash.AppendData(value);
                hash.AppendData(digest.Digest);
                pcrs[key] = hash.GetHashAndReset();
            }
        }
        return pcrs.Select(p => new PcrValue(p.Key.Bank, p.Key.Index, p.Value)).ToList();
    }
}
