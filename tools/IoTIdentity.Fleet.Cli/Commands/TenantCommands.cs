using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid tenants …</c> (service admin key) and <c>iotid tenant …</c> (the caller's own tenant).</summary>
internal static class TenantCommands
{
    private static readonly string[] TenantHeaders = ["TENANT", "NAME", "DEVICES", "MAX DEVICES"];

    public static Command Admin(CliContext cli)
    {
        var tenants = new Command("tenants", "Service administration (a service admin key, iotid-admin.…): create, list and show tenants");

        var id = new Argument<string>("tenantId") { Description = "The new tenant's id ([a-z0-9-], at most 64)" };
        var name = new Option<string?>("--name") { Description = "Display name (default: the id)" };
        var maxDevices = new Option<int?>("--max-devices") { Description = "Device quota" };
        var caCert = new Option<string?>("--ca-cert") { Description = "Bring your own issuing CA: its certificate (chain allowed), PEM file" };
        var caKey = new Option<string?>("--ca-key") { Description = "The issuing CA's PKCS#8 private key, PEM file (with --ca-cert)" };
        tenants.Add(cli.Runs(new Command("create", "Create a tenant; prints its owner-admin key once") { id, name, maxDevices, caCert, caKey },
            async (parse, client, output, ct) =>
            {
                var (cert, key) = (parse.GetValue(caCert), parse.GetValue(caKey));
                if ((cert is null) != (key is null)) throw new UsageException("--ca-cert and --ca-key go together");
                var ca = cert is null ? null : new OwnerCaUpload(CliFiles.ReadText(cert, "CA certificate"), CliFiles.ReadText(key!, "CA private key"));
                var tenantId = parse.GetValue(id)!;
                var quota = parse.GetValue(maxDevices) is { } max ? new TenantQuota(max) : null;
                var created = await client.CreateTenantAsync(new CreateTenantRequest(tenantId, parse.GetValue(name) ?? tenantId, quota, ca), ct);
                if (output.IsJson) output.Raw(created.Json);
                else
                {
                    output.Fields(("tenant", created.Value.TenantId), ("name", created.Value.Name), ("owner-admin key", created.Value.OwnerAdminKey));
                    output.Note("The owner-admin key is shown this once; store it now.");
                }
                return ExitCodes.Ok;
            }));

        var paging = new Paging();
        tenants.Add(cli.Runs(paging.AddTo(new Command("list", "List tenants")), (parse, client, output, ct) =>
            paging.ShowAsync(parse, output, (size, token) => client.ListTenantsAsync(size, token, ct), TenantHeaders, Row, "tenants", ct)));

        var showId = new Argument<string>("tenantId") { Description = "The tenant" };
        tenants.Add(cli.Runs(new Command("show", "Show a tenant") { showId }, async (parse, client, output, ct) =>
            Show(output, await client.GetTenantAsync(parse.GetValue(showId)!, ct))));
        return tenants;
    }

    public static Command Self(CliContext cli)
    {
        var tenant = new Command("tenant", "The caller's own tenant: details, quota, tenant-wide TPM manufacturer roots");
        tenant.Add(cli.Runs(new Command("show", "Show the tenant: quota, device count, CAs, ownership key, manufacturer roots"),
            async (_, client, output, ct) => Show(output, await client.GetOwnTenantAsync(ct))));

        var ca = new Command("ca", "The tenant's certificate authority: root and issuing CAs");
        ca.Add(cli.Runs(new Command("show", "List the issuing CAs the tenant keeps, the current one first"), async (_, client, output, ct) =>
            output.Show(await client.GetTenantCaAsync(ct), view => CaTable(output, view))));
        ca.Add(cli.Runs(new Command("rotate", "Issue from a new issuing CA from now on; the old one is kept for its CRL and devices until its certificates expire (owner-admin)"),
            async (_, client, output, ct) => output.Show(await client.RotateTenantCaAsync(ct), view =>
            {
                output.Line($"now issuing from {view.IssuingCas[0].SerialNumber}");
                CaTable(output, view);
            })));
        tenant.Add(ca);

        var quota = new Command("quota", "The tenant's device quota");
        var max = new Argument<int>("maxDevices") { Description = "The most devices the tenant may hold" };
        max.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0) r.AddError("maxDevices cannot be negative");
        });
        quota.Add(cli.Runs(new Command("set", "Set the device quota (owner-admin)") { max }, async (parse, client, output, ct) =>
        {
            return output.Done(await client.SetQuotaAsync(new TenantQuota(parse.GetValue(max)), ct), $"quota set to {parse.GetValue(max)} devices");
        }));
        tenant.Add(quota);

        var roots = new Command("manufacturer-roots", "TPM manufacturer roots every group of the tenant trusts");
        roots.Add(cli.Runs(new Command("list", "List the tenant-wide manufacturer roots"), async (_, client, output, ct) =>
        {
            return output.Show(await client.GetOwnTenantAsync(ct), view => output.Table(["THUMBPRINT", "SUBJECT", "NOT AFTER"],
                (view.TrustedManufacturerRoots ?? []).Select(r => (IReadOnlyList<string?>)[r.Thumbprint, r.Subject, CliOutput.Time(r.NotAfter)])));
        }));
        var files = new Argument<string[]>("pemFiles") { Description = "PEM files of root certificates (all of them: the list is replaced)", Arity = ArgumentArity.ZeroOrMore };
        var clear = new Option<bool>("--clear") { Description = "Trust no tenant-wide roots (instead of files)" };
        roots.Add(cli.Runs(new Command("set", "Replace the tenant-wide manufacturer roots (owner-admin)") { files, clear }, async (parse, client, output, ct) =>
        {
            var paths = parse.GetValue(files) ?? [];
            if (paths.Length == 0 && !parse.GetValue(clear)) throw new UsageException("name the PEM files, or pass --clear to trust no tenant-wide roots");
            if (paths.Length > 0 && parse.GetValue(clear)) throw new UsageException("--clear takes no files");
            var pems = CliFiles.ReadCertificatesPem(paths);
            return output.Done(await client.SetManufacturerRootsAsync(new ManufacturerRootsRequest(pems), ct), $"{pems.Count} manufacturer root{(pems.Count == 1 ? "" : "s")} set");
        }));
        tenant.Add(roots);
        return tenant;
    }

    private static void CaTable(CliOutput output, TenantCaView view) => output.Table(["SERIAL", "STATUS", "NOT AFTER", "RETIRED", "KEPT UNTIL"],
        view.IssuingCas.Select(c => (IReadOnlyList<string?>)[c.SerialNumber, c.Status, CliOutput.Time(c.NotAfter), CliOutput.Time(c.RetiredAt), CliOutput.Time(c.KeptUntil)]));

    private static IReadOnlyList<string?> Row(TenantView t) => [t.TenantId, t.Name, t.DeviceCount?.ToString(), t.Quota?.MaxDevices?.ToString() ?? "none"];

    private static int Show(CliOutput output, ApiResult<TenantView> view) => output.Show(view, t => output.Fields(
            ("tenant", t.TenantId),
            ("name", t.Name),
            ("devices", t.DeviceCount?.ToString()),
            ("max devices", t.Quota?.MaxDevices?.ToString() ?? "none"),
            ("manufacturer roots", t.TrustedManufacturerRoots is null ? null
                : t.TrustedManufacturerRoots.Count == 0 ? "none" : string.Join("\n", t.TrustedManufacturerRoots.Select(r => $"{r.Subject} ({r.Thumbprint})"))),
            ("issuing CA", t.IssuingCaCertificatePem?.Trim()),
            ("root", t.RootCertificatePem?.Trim()),
            ("ownership key", t.OwnershipPublicKeyPem?.Trim())));
}
