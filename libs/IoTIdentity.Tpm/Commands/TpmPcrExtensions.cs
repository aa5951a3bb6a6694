using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>A PCR's value in one bank.</summary>
public sealed record PcrValue(TpmAlgId Hash, int Index, byte[] Digest);

/// <summary>Reading whole PCR selections and extending PCRs.</summary>
public static class TpmPcrExtensions
{
    /// <summary>
    /// Reads every PCR of <paramref name="selection"/>, calling TPM2_PCR_Read until each has been returned (a TPM
    /// returns at most 8 per call), in selection order. Fails if the PCRs changed between calls.
    /// </summary>
    public static async Task<IReadOnlyList<PcrValue>> ReadPcrsAsync(this TpmClient tpm, TpmlPcrSelection selection, CancellationToken cancellationToken = default)
    {
        var wanted = selection.Pairs.ToList();
        var values = new Dictionary<(TpmAlgId, int), byte[]>();
        uint? counter = null;
        while (values.Count < wanted.Count)
        {
            var remaining = wanted.Where(p => !values.ContainsKey(p)).ToList();
            var request = new TpmlPcrSelection(remaining.GroupBy(p => p.Hash)
                .Select(g => TpmsPcrSelection.Of(g.Key, g.Select(p => p.Pcr))).ToList());
            var response = await tpm.ExecuteAsync(new PcrRead(request), [], cancellationToken).ConfigureAwait(false);
            if (counter is { } c && c != response.PcrUpdateCounter) throw new InvalidOperationException("PCRs changed while being read");
            counter = response.PcrUpdateCounter;
            var returned = response.PcrSelectionOut.Pairs.ToList();
            if (returned.Count == 0 || returned.Count != response.PcrValues.Digests.Count)
                throw new TpmFormatException($"PCR_Read returned {returned.Count} selections and {response.PcrValues.Digests.Count} digests");
            for (var i = 0; i < returned.Count; i++) values[returned[i]] = response.PcrValues.Digests[i];
        }
        return wanted.Select(p => new PcrValue(p.Hash, p.Pcr, values[p])).ToList();
    }

    /// <summary>Extends <paramref name="pcr"/> in one bank with <paramref name="digest"/> (TPM2_PCR_Extend).</summary>
    public static Task ExtendPcrAsync(this TpmClient tpm, int pcr, TpmAlgId hash, byte[] digest, CancellationToken cancellationToken = default) =>
        tpm.ExecuteAsync(new PcrExtend((uint)pcr, new TpmlDigestValues([new TpmtHa(hash, digest)])), [PasswordSession.Empty], cancellationToken);
}
