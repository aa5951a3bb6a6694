using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid groups list|get|put|delete</c> and <c>iotid enrollments get|put|delete</c>.</summary>
internal static class EnrollmentCommands
{
    public static Command Groups(CliContext cli)
    {
        var groups = new Command("groups", "Enrolment groups: which TPM manufacturers, firmware and certificate lifetime the tenant admits");

        groups.Add(cli.Runs(new Command("list", "List the group ids"), async (_, client, output, ct) =>
        {
            return output.Show(await client.ListGroupsAsync(ct), page => output.Table(["GROUP"], page.Items.Select(g => (IReadOnlyList<string?>)[g])));
        }));

        var id = new Argument<string>("groupId") { Description = "The group ([a-z0-9-], at most 64)" };
        groups.Add(cli.Runs(new Command("get", "Show a group") { id }, async (parse, client, output, ct) =>
        {
            return output.Show(await client.GetGroupAsync(parse.GetValue(id)!, ct), value => Show(output, value));
        }));

        var putId = new Argument<string>("groupId") { Description = "The group ([a-z0-9-], at most 64)" };
        var file = new Option<string?>("--file") { Description = "The group as JSON (the API's shape); options below override its fields" };
        var roots = new Option<string[]>("--trusted-root") { Description = "PEM file of trusted TPM manufacturer roots (repeat; replaces the list)", AllowMultipleArgumentsPerToken = true };
        var pcrs = new Option<int[]>("--pcr") { Description = "A SHA-256 PCR to quote (repeat; replaces the list)", AllowMultipleArgumentsPerToken = true };
        var lifetime = new Option<long?>("--lifetime-seconds") { Description = "Device certificate lifetime (at least 10)" };
        var quota = new Option<int?>("--quota") { Description = "The most devices the group admits" };
        var enabled = new Option<bool?>("--enabled") { Description = "Whether the group admits devices (true|false)" };
        var individualOnly = new Option<bool?>("--individual-only") { Description = "Admit only individually enrolled devices (true|false)" };
        groups.Add(cli.Runs(new Command("put", "Create or change a group: from --file, else from the group as it is now (or the defaults), with the options applied")
            { putId, file, roots, pcrs, lifetime, quota, enabled, individualOnly }, async (parse, client, output, ct) =>
        {
            var groupId = parse.GetValue(putId)!;
            var group = parse.GetValue(file) is { } path ? ReadGroup(path) : await CurrentOrDefaultAsync(client, groupId, ct);
            if (parse.GetValue(roots) is { Length: > 0 } rootFiles) group = group with { TrustedRootsPem = CliFiles.ReadCertificatesPem(rootFiles) };
            if (parse.GetValue(pcrs) is { Length: > 0 } indices) group = group with { PcrIndices = indices };
            if (parse.GetValue(lifetime) is { } seconds) group = group with { CertificateLifetimeSeconds = seconds };
            if (parse.GetValue(quota) is { } max) group = group with { Quota = max };
            if (parse.GetValue(enabled) is { } on) group = group with { Enabled = on };
            if (parse.GetValue(individualOnly) is { } only) group = group with { IndividualOnly = only };
            return output.Show(await client.PutGroupAsync(groupId, group, ct), value => Show(output, value));
        }));

        var deleteId = new Argument<string>("groupId") { Description = "The group" };
        groups.Add(cli.Runs(new Command("delete", "Delete a group") { deleteId }, async (parse, client, output, ct) =>
        {
            return output.Done(await client.DeleteGroupAsync(parse.GetValue(deleteId)!, ct), $"group {parse.GetValue(deleteId)} deleted");
        }));
        return groups;
    }

    public static Command Individual(CliContext cli)
    {
        var enrollments = new Command("enrollments", "Individual enrolments: admit one device (by id) under one of the tenant's groups");

        var paging = new Paging();
        enrollments.Add(cli.Runs(paging.AddTo(new Command("list", "List the tenant's individual enrolments (one page; --all for every page)")), (parse, client, output, ct) =>
        {
            Dictionary<string, string> shortened = [];
            return paging.ShowAsync(parse, output, async (size, token) =>
                {
                    var page = await client.ListIndividualEnrollmentsAsync(size, token, ct);
                    shortened = DeviceIdPrefixes.Shorten(shortened.Keys.Concat(page.Value.Items.Select(e => e.DeviceId)));
                    return page;
                },
                ["DEVICE", "GROUP", "ENABLED", "CLAIM CODE"],
                e => [DeviceIdPrefixes.Show(output, shortened, e.DeviceId), e.GroupId, e.Enabled ? "yes" : "no", e.HasClaimCode ? "set" : "-"],
                "enrolments", ct);
        }));

        var file = new Argument<string>("file") { Description = "CSV (header: deviceId, ekCertificate, groupId, enabled, claimCodeSha256) or JSON rows" };
        var importGroup = new Option<string?>("--group") { Description = "The group of rows that name none" };
        enrollments.Add(cli.Runs(new Command("import", "Enrol many devices, by id or EK certificate; each row succeeds or fails on its own (exit 1 if any failed)")
            { file, importGroup }, async (parse, client, output, ct) =>
        {
            var rows = EnrollmentImportFile.Read(parse.GetValue(file)!);
            var report = await client.ImportIndividualEnrollmentsAsync(new IndividualEnrollmentImport(rows, parse.GetValue(importGroup)), ct);
            output.Show(report, r =>
            {
                var shortened = DeviceIdPrefixes.Shorten(r.Results.Select(x => x.DeviceId).OfType<string>());
                output.Table(["ROW", "DEVICE", "RESULT", "WHY"], r.Results.Select(x => (IReadOnlyList<string?>)
                    [x.Row.ToString(System.Globalization.CultureInfo.InvariantCulture), x.DeviceId is null ? null : DeviceIdPrefixes.Show(output, shortened, x.DeviceId),
                        x.Outcome, x.Error is null ? null : $"{x.Error}: {x.Detail}"]));
                output.Note($"{r.Enrolled} enrolled, {r.Refused} refused");
            });
            return report.Value.Refused == 0 ? ExitCodes.Ok : ExitCodes.Refused;
        }));

        var id = new Argument<string>("deviceId") { Description = "The device" };
        enrollments.Add(cli.Runs(new Command("get", "Show a device's individual enrolment") { id }, async (parse, client, output, ct) =>
        {
            return output.Show(await client.GetIndividualEnrollmentAsync(parse.GetValue(id)!, ct), enrollment =>
                output.Fields(("device", parse.GetValue(id)), ("group", enrollment.GroupId), ("enabled", enrollment.Enabled ? "yes" : "no")));
        }));

        var putId = new Argument<string>("deviceId") { Description = "The device" };
        var group = new Option<string>("--group") { Description = "The group whose policy applies", Required = true };
        var disabled = new Option<bool>("--disabled") { Description = "Enrol it but do not admit it yet" };
        enrollments.Add(cli.Runs(new Command("put", "Enrol a device individually") { putId, group, disabled }, async (parse, client, output, ct) =>
        {
            var enrollment = new IndividualEnrollment(parse.GetValue(group)!, !parse.GetValue(disabled));
            return output.Show(await client.PutIndividualEnrollmentAsync(parse.GetValue(putId)!, enrollment, ct), stored =>
                output.Line($"device {parse.GetValue(putId)} enrolled in group {stored.GroupId}{(stored.Enabled ? "" : " (disabled)")}"));
        }));

        var deleteId = new Argument<string>("deviceId") { Description = "The device" };
        enrollments.Add(cli.Runs(new Command("delete", "Remove a device's individual enrolment") { deleteId }, async (parse, client, output, ct) =>
        {
            return output.Done(await client.DeleteIndividualEnrollmentAsync(parse.GetValue(deleteId)!, ct), $"individual enrolment of {parse.GetValue(deleteId)} deleted");
        }));
        return enrollments;
    }

    private static EnrollmentGroup ReadGroup(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(CliFiles.ReadText(path, "group file"), ManagementJson.Default.EnrollmentGroup)
                ?? throw new UsageException($"'{path}' holds null, not a group");
        }
        catch (JsonException e)
        {
            throw new UsageException($"'{path}' is not a group's JSON: {e.Message}");
        }
    }

    private static async Task<EnrollmentGroup> CurrentOrDefaultAsync(IotIdClient client, string groupId, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetGroupAsync(groupId, cancellationToken)).Value;
        }
        catch (IotIdApiException e) when (e.Status == 404)
        {
            return new EnrollmentGroup();
        }
    }

    private static void Show(CliOutput output, EnrollmentGroup g) => output.Fields(
        ("enabled", g.Enabled ? "yes" : "no"),
        ("individual only", g.IndividualOnly ? "yes" : "no"),
        ("devices", g.DeviceCount.ToString()),
        ("quota", g.Quota?.ToString() ?? "none"),
        ("certificate lifetime", TimeSpan.FromSeconds(g.CertificateLifetimeSeconds).ToString()),
        ("pcrs", string.Join(", ", g.PcrIndices)),
        ("trusted roots", g.TrustedRootsPem.Count == 0 ? "none" : string.Join("\n", g.TrustedRootsPem.Select(Subject))),
        ("allowed firmware", g.AllowedFirmware.Count == 0 ? "any (no event log required)" : string.Join("\n", g.AllowedFirmware.Select(Release))));

    private static string Subject(string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return $"{certificate.Subject} (until {CliOutput.Time(certificate.NotAfter)})";
        }
        catch (CryptographicException)
        {
            return "(not a PEM certificate)";
        }
    }

    private static string Release(JsonElement manifest) =>
        manifest.ValueKind == JsonValueKind.Object && manifest.TryGetProperty("product", out var p) && manifest.TryGetProperty("version", out var v)
            ? $"{p} {v}" : manifest.GetRawText();
}
