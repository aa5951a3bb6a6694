using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid transfers create|list|show|accept|cancel|watch</c>: ownership transfers and their per-device progress.</summary>
internal static class TransferCommands
{
    public static Command Build(CliContext cli)
    {
        var transfers = new Command("transfers", "Ownership transfers between tenants: create, list, show, accept, cancel, watch");
        transfers.Add(Create(cli));

        var direction = new Option<string?>("--direction") { Description = "outgoing (we give) or incoming (we receive)" };
        direction.AcceptOnlyFromAmong("outgoing", "incoming");
        var state = new Option<string?>("--state") { Description = "Only transfers in this state (Pending, Accepted, Completed, Cancelled, Expired)" };
        var paging = new Paging();
        transfers.Add(cli.Runs(paging.AddTo(new Command("list", "List transfers the tenant gives or receives") { direction, state }), (parse, client, output, ct) =>
            paging.ShowAsync(parse, output, (size, token) => client.ListTransfersAsync(parse.GetValue(direction), parse.GetValue(state), size, token, ct),
                ["TRANSFER", "FROM", "TO", "STATE", "DEVICES", "REENROLLED", "FAILED", "CREATED", "EXPIRES"],
                t => [t.TransferId, t.SourceTenantId, t.TargetTenantId, t.State, t.Devices.Count.ToString(), t.Counts?.Reenrolled.ToString(),
                    t.Counts?.Failed.ToString(), CliOutput.Time(t.CreatedAt), CliOutput.Time(t.ExpiresAt)],
                "transfers", ct)));

        var showId = new Argument<string>("transferId") { Description = "The transfer" };
        transfers.Add(cli.Runs(new Command("show", "Show a transfer and each device's progress") { showId }, async (parse, client, output, ct) =>
        {
            return output.Show(await client.GetTransferAsync(parse.GetValue(showId)!, ct), value => Show(output, value));
        }));

        var acceptId = new Argument<string>("transferId") { Description = "The transfer (incoming)" };
        var group = new Option<string?>("--group") { Description = "The group of ours to enrol the devices into" };
        transfers.Add(cli.Runs(new Command("accept", "Accept an incoming transfer (target owner-admin): the devices are told to re-enrol") { acceptId, group },
            async (parse, client, output, ct) =>
            {
                var body = await client.AcceptTransferAsync(parse.GetValue(acceptId)!, parse.GetValue(group), ct);
                if (output.IsJson) output.Raw(body);
                else output.Line($"transfer {parse.GetValue(acceptId)} accepted; follow it with: iotid transfers watch {parse.GetValue(acceptId)}");
                return ExitCodes.Ok;
            }));

        var cancelId = new Argument<string>("transferId") { Description = "The transfer" };
        transfers.Add(cli.Runs(new Command("cancel", "Cancel a transfer (the source before acceptance; either side while Pending)") { cancelId },
            async (parse, client, output, ct) =>
            {
                return output.Done(await client.CancelTransferAsync(parse.GetValue(cancelId)!, ct), $"transfer {parse.GetValue(cancelId)} cancelled");
            }));

        transfers.Add(Watch(cli));
        return transfers;
    }

    private static Command Create(CliContext cli)
    {
        var to = new Option<string>("--to") { Description = "The tenant that is to own the devices", Required = true };
        var devices = new Option<string[]>("--device") { Description = "A device to transfer, its id or a unique prefix (repeat)", AllowMultipleArgumentsPerToken = true };
        var devicesFile = new Option<string?>("--devices-file") { Description = "A file of device ids or unique prefixes, one a line ('#' starts a comment)" };
        var revokeAt = new Option<string>("--revoke-old-at")
        {
            Description = "When the old owner's certificate is revoked: acceptance|reenrollment", DefaultValueFactory = _ => "reenrollment",
        };
        revokeAt.AcceptOnlyFromAmong("acceptance", "reenrollment");
        var expires = new Option<int?>("--expires-in-hours") { Description = "How long the target has to accept, 1..720 (default 72)" };
        expires.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 720) r.AddError("--expires-in-hours must be 1..720");
        });
        return cli.Runs(new Command("create", "Offer devices to another tenant (owner-admin)") { to, devices, devicesFile, revokeAt, expires },
            async (parse, client, output, ct) =>
            {
                var ids = (parse.GetValue(devices) ?? []).ToList();
                if (parse.GetValue(devicesFile) is { } path)
                    ids.AddRange(CliFiles.ReadText(path, "devices file").Split('\n').Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0));
                if (ids.Count is 0 or > 1000) throw new UsageException($"a transfer takes 1..1000 devices (--device, --devices-file), not {ids.Count}");
                var resolved = new List<string>(ids.Count);
                foreach (var text in ids) resolved.Add(await DeviceIdPrefixes.ResolveAsync(client, text, ct));
                ids = resolved.Distinct(StringComparer.Ordinal).ToList();
                var created = await client.CreateTransferAsync(
                    new CreateTransferRequest(parse.GetValue(to)!, ids, parse.GetValue(revokeAt)!, parse.GetValue(expires)), ct);
                if (output.IsJson) output.Raw(created.Json);
                else
                {
                    Show(output, created.Value);
                    output.Note($"The target accepts with: iotid transfers accept {created.Value.TransferId}");
                }
                return ExitCodes.Ok;
            });
    }

    /// <summary>Polls a transfer until it is finished; exits 0 when it completed with no device failed, 1 otherwise.</summary>
    private static Command Watch(CliContext cli)
    {
        var id = new Argument<string>("transferId") { Description = "The transfer" };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls", DefaultValueFactory = _ => 5 };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 3600) r.AddError("--interval must be more than 0 and at most 3600 seconds");
        });
        return cli.Runs(new Command("watch", "Poll a transfer until it is Completed, Cancelled or Expired, printing progress") { id, interval },
            async (parse, client, output, ct) =>
            {
                string? last = null;
                while (true)
                {
                    var transfer = await client.GetTransferAsync(parse.GetValue(id)!, ct);
                    var t = transfer.Value;
                    var progress = $"{t.State}: {Counts(t)}";
                    if (output.IsJson) output.Raw(transfer.Json);
                    else if (progress != last) output.Note($"{CliOutput.Time(DateTimeOffset.UtcNow)} {progress}");
                    last = progress;
                    if (t.IsFinished)
                    {
                        if (!output.IsJson) Show(output, t);
                        var failed = t.Counts?.Failed ?? t.Devices.Count(d => d.State == "Failed");
                        if (t.State == "Completed" && failed == 0) return ExitCodes.Ok;
                        output.Error($"iotid: transfer {t.TransferId} ended {t.State}{(failed > 0 ? $" with {failed} device(s) failed" : "")}");
                        return ExitCodes.Refused;
                    }
                    await Task.Delay(TimeSpan.FromSeconds(parse.GetValue(interval)), ct);
                }
            });
    }

    private static string Counts(TransferView t)
    {
        var c = t.Counts ?? new TransferCounts(t.Devices.Count(d => d.State == "Pending"), t.Devices.Count(d => d.State == "CommandSent"),
            t.Devices.Count(d => d.State == "Reenrolled"), t.Devices.Count(d => d.State == "Failed"));
        return $"{c.Reenrolled}/{t.Devices.Count} re-enrolled, {c.CommandSent} command sent, {c.Pending} pending, {c.Failed} failed";
    }

    private static void Show(CliOutput output, TransferView t)
    {
        output.Fields(
            ("transfer", t.TransferId),
            ("from", t.SourceTenantId),
            ("to", t.TargetTenantId),
            ("state", t.State),
            ("revoke old certificate at", t.RevokeOldCertificateAt),
            ("created", CliOutput.Time(t.CreatedAt)),
            ("expires", CliOutput.Time(t.ExpiresAt)),
            ("accepted", CliOutput.Time(t.AcceptedAt)),
            ("completed", CliOutput.Time(t.CompletedAt)),
            ("progress", Counts(t)));
        output.Table(["DEVICE", "STATE", "UPDATED", "NEW CERTIFICATE", "ERROR"],
            t.Devices.Select(d => (IReadOnlyList<string?>)[d.DeviceId, d.State, CliOutput.Time(d.UpdatedAt), d.NewSerialNumber, d.Error]));
    }
}
