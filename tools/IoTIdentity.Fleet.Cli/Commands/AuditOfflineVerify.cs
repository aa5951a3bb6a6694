using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Protocol.Audit;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// <c>iotid audit verify --offline export.ndjson --checkpoint checkpoint.json --checkpoint-key key.json</c>: checks an
/// unfiltered export against a signed checkpoint without the service (<see cref="OfflineAuditVerifier"/>). The key is
/// the JSON <c>audit checkpoint-key</c> saves, or the public key alone in PEM. Exits 0 when the export holds the
/// checkpointed log, 1 when it was tampered with, 2 for a file that cannot be read.
/// </summary>
internal static class AuditOfflineVerify
{
    public static int Run(string exportPath, string? checkpointPath, string? keyPath, CliOutput output)
    {
        if (checkpointPath is null || keyPath is null)
            throw new UsageException("--offline needs --checkpoint (from audit checkpoint -o) and --checkpoint-key (from audit checkpoint-key -o, or a PEM public key)");
        var checkpoint = CliFiles.ReadJson(checkpointPath, "checkpoint", ManagementJson.Default.AuditCheckpoint);
        if (checkpoint.TenantId is null || checkpoint.HeadHash is null || checkpoint.KeyId is null || checkpoint.Signature is null)
            throw new UsageException($"'{checkpointPath}' is not a checkpoint: it lacks tenantId, headHash, keyId or signature");
        var key = ReadKey(keyPath, checkpoint.KeyId);
        OfflineAuditVerification result;
        using (var lines = OpenExport(exportPath))
            result = OfflineAuditVerifier.Verify(Entries(exportPath, lines), checkpoint, key);

        if (output.IsJson) output.Raw(JsonSerializer.Serialize(result, ManagementJson.Default.OfflineAuditVerification));
        else if (result.IsValid)
            output.Line($"export holds the checkpointed log: {checkpoint.Size} entries up to {checkpoint.HeadHash} ({checkpoint.At:O}, key {checkpoint.KeyId} {key.Sha256[..16]}…)"
                + (result.EntriesAfterCheckpoint > 0 ? $"; {result.EntriesAfterCheckpoint} later entries chain on but the checkpoint does not cover them" : ""));
        if (result.IsValid) return ExitCodes.Ok;
        output.Error($"iotid: audit export does not match the checkpoint: {result.Tampering}{(result.Sequence is { } at ? $" at entry {at}" : "")} ({result.Reason})");
        return ExitCodes.Refused;
    }

    private static StreamReader OpenExport(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read audit export '{path}': {e.Message}");
        }
    }

    /// <summary>The export's entries, read one line at a time; a line that is not an entry is a usage error naming it.</summary>
    private static IEnumerable<AuditEntryView> Entries(string path, StreamReader lines)
    {
        var number = 0;
        while (lines.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0) continue;
            AuditEntryView? entry;
            try
            {
                entry = JsonSerializer.Deserialize(line, ManagementJson.Default.AuditEntryView);
            }
            catch (JsonException e)
            {
                throw new UsageException($"'{path}' line {number} is not an audit entry: {e.Message}");
            }
            if (entry?.Event is null || entry.TenantId is null || entry.Hash is null || entry.PreviousHash is null)
                throw new UsageException($"'{path}' line {number} is not an audit entry");
            yield return entry;
        }
    }

    private static AuditCheckpointKey ReadKey(string path, string keyId)
    {
        var text = CliFiles.ReadText(path, "checkpoint key");
        if (!text.TrimStart().StartsWith('{'))
        {
            using var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(text);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new UsageException($"'{path}' is neither the checkpoint key's JSON nor an EC public key in PEM: {e.Message}");
            }
            return AuditCheckpoints.Describe(keyId, key);
        }
        var described = CliFiles.ReadJson(path, "checkpoint key", ManagementJson.Default.AuditCheckpointKey);
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(described.PublicKeyPem);
            return AuditCheckpoints.Describe(described.KeyId, key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new UsageException($"'{path}' does not hold an EC public key in PEM: {e.Message}");
        }
    }
}
