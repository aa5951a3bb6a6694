using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid audit query|export|verify</c>: the tenant's hash-chained audit log, configuration changes included.</summary>
internal static class AuditCommands
{
    public static Command Build(CliContext cli)
    {
        var audit = new Command("audit", "The tenant's audit log: query, export (NDJSON), verify the hash chain, signed checkpoints");

        var filter = new AuditFilterOptions();
        var paging = new Paging();
        audit.Add(cli.Runs(paging.AddTo(filter.AddTo(new Command("query", "List audit entries (one page; --all for every page)"))), (parse, client, output, ct) =>
        {
            Dictionary<string, string> shortened = [];
            return paging.ShowAsync(parse, output, async (size, token) =>
                {
                    var page = await client.QueryAuditAsync(await filter.ReadAsync(parse, client, ct), size, token, ct);
                    // device ids and root fingerprints are 64 hex digits: shown as unique prefixes unless --wide
                    shortened = DeviceIdPrefixes.Shorten(shortened.Keys.Concat(page.Value.Items.Select(e => e.Event.Subject).Where(s => s.Length == 64)));
                    return page;
                },
                ["SEQ", "AT", "ACTION", "SUBJECT", "OUTCOME", "ACTOR"],
                e => [e.Sequence.ToString(), CliOutput.Time(e.Event.At), e.Event.Action, DeviceIdPrefixes.Show(output, shortened, e.Event.Subject), e.Event.Outcome, e.Event.Actor],
                "entries", ct);
        }));

        var exportFilter = new AuditFilterOptions();
        var file = new Option<string?>("--out", "-o") { Description = "Write the export to this file (default: standard output)" };
        var force = new Option<bool>("--force") { Description = "Replace --out if it exists" };
        audit.Add(cli.Runs(exportFilter.AddTo(new Command("export", "Export audit entries as NDJSON, streamed as the service sends them") { file, force }),
            async (parse, client, output, ct) =>
            {
                var path = parse.GetValue(file);
                if (path is null)
                {
                    await foreach (var line in client.ExportAuditAsync(await exportFilter.ReadAsync(parse, client, ct), ct)) output.Line(line);
                    return ExitCodes.Ok;
                }
                var entries = 0;
                var filter = await exportFilter.ReadAsync(parse, client, ct);
                await CliFiles.WriteAsync(path, parse.GetValue(force), async stream =>
                {
                    await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
                    await foreach (var line in client.ExportAuditAsync(filter, ct))
                    {
                        await writer.WriteAsync(line + "\n");
                        entries++;
                    }
                });
                output.Note($"wrote {path} ({entries} entries)");
                return ExitCodes.Ok;
            }));

        var offline = new Option<string?>("--offline") { Description = "Check this NDJSON export (unfiltered, from audit export) against --checkpoint without the service" };
        var checkpointFile = new Option<string?>("--checkpoint") { Description = "A signed checkpoint saved by audit checkpoint -o" };
        var checkpointKey = new Option<string?>("--checkpoint-key") { Description = "The checkpoint key saved by audit checkpoint-key -o (or its PEM public key)" };
        audit.Add(cli.Runs(new Command("verify", "Check the audit hash chain: by the service, or --offline an export against a signed checkpoint; exits 1 when broken")
            { offline, checkpointFile, checkpointKey }, async (parse, client, output, ct) =>
        {
            if (parse.GetValue(offline) is { } export)
                return AuditOfflineVerify.Run(export, parse.GetValue(checkpointFile), parse.GetValue(checkpointKey), output);
            var verification = await client.VerifyAuditAsync(ct);
            var v = verification.Value;
            if (output.IsJson) output.Raw(verification.Json);
            else if (v.IsValid) output.Line($"audit chain intact: {v.EntriesChecked} entries checked");
            if (v.IsValid) return ExitCodes.Ok;
            output.Error($"iotid: audit chain broken at entry {v.FirstBrokenSequence}: {v.Fault}{(v.Reason is null ? "" : $" ({v.Reason})")}; {v.EntriesChecked} entries checked");
            return ExitCodes.Refused;
        }));

        var at = new Option<string?>("--at") { Description = "The newest checkpoint made at or before this time (ISO 8601) instead of a fresh one" };
        var checkpointOut = new Option<string?>("--out", "-o") { Description = "Save the checkpoint's JSON to this file (for verify --offline)" };
        var checkpointForce = new Option<bool>("--force") { Description = "Replace --out if it exists" };
        audit.Add(cli.Runs(new Command("checkpoint", "The log's head (size, hash, time) signed by the service's checkpoint key") { at, checkpointOut, checkpointForce },
            async (parse, client, output, ct) =>
            {
                var path = parse.GetValue(checkpointOut);
                if (path is not null) CliFiles.CheckWritable(path, parse.GetValue(checkpointForce));
                var answer = await client.GetAuditCheckpointAsync(parse.GetValue(at), ct);
                if (path is not null)
                {
                    await SaveAsync(path, parse.GetValue(checkpointForce), answer.Json);
                    output.Note($"wrote {path}");
                }
                return output.Show(answer, c => output.Fields(("tenant", c.TenantId), ("size", c.Size.ToString()), ("head", c.HeadHash),
                    ("at", CliOutput.Time(c.At)), ("key", c.KeyId)));
            }));

        var keyOut = new Option<string?>("--out", "-o") { Description = "Save the key's JSON to this file (for verify --offline)" };
        var keyForce = new Option<bool>("--force") { Description = "Replace --out if it exists" };
        audit.Add(cli.Runs(new Command("checkpoint-key", "The public key audit checkpoints are signed with (compare its SHA-256 with the operator's)") { keyOut, keyForce },
            async (parse, client, output, ct) =>
            {
                var path = parse.GetValue(keyOut);
                if (path is not null) CliFiles.CheckWritable(path, parse.GetValue(keyForce));
                var answer = await client.GetAuditCheckpointKeyAsync(ct);
                if (path is not null)
                {
                    await SaveAsync(path, parse.GetValue(keyForce), answer.Json);
                    output.Note($"wrote {path}");
                }
                return output.Show(answer, k => output.Fields(("key", k.KeyId), ("sha256", k.Sha256)));
            }));
        return audit;
    }

    private static Task SaveAsync(string path, bool force, string json) => CliFiles.WriteAsync(path, force, async stream =>
    {
        await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        await writer.WriteAsync(json);
    });

    /// <summary>The filters query and export share.</summary>
    private sealed class AuditFilterOptions
    {
        private readonly Option<string?> _from = new("--from") { Description = "Entries at or after this time (ISO 8601)" };
        private readonly Option<string?> _to = new("--to") { Description = "Entries before this time (ISO 8601)" };
        private readonly Option<string?> _device = new("--device") { Description = "Only entries about this device (its id or a unique prefix)" };
        private readonly Option<string?> _subject = new("--subject") { Description = "Only entries about this subject: an API key id, a group, a root's SHA-256 fingerprint, …" };
        private readonly Option<string?> _action = new("--action") { Description = "Only entries of this action (register, attest, revoke, group-update, root-trusted, …)" };

        public Command AddTo(Command command)
        {
            foreach (var option in new[] { _from, _to, _device, _subject, _action }) command.Add(option);
            return command;
        }

        public async Task<AuditFilter> ReadAsync(ParseResult parse, IotIdClient client, CancellationToken cancellationToken) => new(
            parse.GetValue(_from), parse.GetValue(_to),
            parse.GetValue(_device) is { } device ? await DeviceIdPrefixes.ResolveAsync(client, device, cancellationToken) : null,
            parse.GetValue(_action), parse.GetValue(_subject));
    }
}
