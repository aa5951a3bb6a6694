using System.CommandLine;
using System.Globalization;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid token-policy get|allow|deny|set|delete</c>, <c>iotid token-keys list|rotate</c> and <c>iotid federation list|add|remove</c>.</summary>
internal static class TokenCommands
{
    public static Command Policy(CliContext cli)
    {
        var policy = new Command("token-policy", "A group's device-token policy: audiences, their scopes, conditions, lifetimes (docs/tokens.md)");

        var getGroup = new Argument<string>("groupId") { Description = "The enrolment group" };
        policy.Add(cli.Runs(new Command("get", "Show a group's token policy") { getGroup }, async (parse, client, output, ct) =>
            output.Show(await client.GetTokenPolicyAsync(parse.GetValue(getGroup)!, ct), value => Show(output, value))));

        var allowGroup = new Argument<string>("groupId") { Description = "The enrolment group" };
        var audience = new Option<string>("--audience") { Description = "The relying party (token audience)", Required = true };
        var scopes = new Option<string[]>("--scope") { Description = "A scope tokens for the audience carry (repeat; replaces the audience's list)", AllowMultipleArgumentsPerToken = true };
        policy.Add(cli.Runs(new Command("allow", "Allow an audience (with its scopes) in a group's token policy, creating the policy if needed") { allowGroup, audience, scopes },
            async (parse, client, output, ct) =>
            {
                var groupId = parse.GetValue(allowGroup)!;
                var current = await CurrentOrNewAsync(client, groupId, ct);
                var audiences = new Dictionary<string, IReadOnlyList<string>>(current.Audiences) { [parse.GetValue(audience)!] = parse.GetValue(scopes) ?? [] };
                return output.Show(await client.PutTokenPolicyAsync(groupId, current with { Audiences = audiences }, ct), value => Show(output, value));
            }));

        var denyGroup = new Argument<string>("groupId") { Description = "The enrolment group" };
        var denied = new Option<string>("--audience") { Description = "The audience to remove", Required = true };
        policy.Add(cli.Runs(new Command("deny", "Remove an audience from a group's token policy") { denyGroup, denied }, async (parse, client, output, ct) =>
        {
            var groupId = parse.GetValue(denyGroup)!;
            var current = (await client.GetTokenPolicyAsync(groupId, ct)).Value;
            var audiences = current.Audiences.Where(a => a.Key != parse.GetValue(denied)).ToDictionary(a => a.Key, a => a.Value);
            return output.Show(await client.PutTokenPolicyAsync(groupId, current with { Audiences = audiences }, ct), value => Show(output, value));
        }));

        var setGroup = new Argument<string>("groupId") { Description = "The enrolment group" };
        var compliant = new Option<bool?>("--require-compliant") { Description = "Refuse devices not compliant with the measured-boot policy (true|false)" };
        var firmware = new Option<string?>("--min-firmware") { Description = "The oldest firmware release allowed, \"product version\" ('' for any)" };
        var age = new Option<long?>("--max-attestation-age-seconds") { Description = "The longest time since the last attestation (0 for no limit)" };
        var lifetime = new Option<long?>("--default-lifetime-seconds") { Description = "A token's lifetime unless the device asks for less" };
        var maxLifetime = new Option<long?>("--max-lifetime-seconds") { Description = "The longest lifetime a device may ask for" };
        policy.Add(cli.Runs(new Command("set", "Change a group's token conditions and lifetimes (audiences stay)") { setGroup, compliant, firmware, age, lifetime, maxLifetime },
            async (parse, client, output, ct) =>
            {
                var groupId = parse.GetValue(setGroup)!;
                var p = await CurrentOrNewAsync(client, groupId, ct);
                if (parse.GetValue(compliant) is { } c) p = p with { RequireMeasuredBootCompliant = c };
                if (parse.GetValue(firmware) is { } f) p = p with { MinimumFirmwareRelease = f.Length == 0 ? null : f };
                if (parse.GetValue(age) is { } a) p = p with { MaxAttestationAgeSeconds = a == 0 ? null : a };
                if (parse.GetValue(lifetime) is { } l) p = p with { DefaultLifetimeSeconds = l };
                if (parse.GetValue(maxLifetime) is { } m) p = p with { MaxLifetimeSeconds = m };
                return output.Show(await client.PutTokenPolicyAsync(groupId, p, ct), value => Show(output, value));
            }));

        var deleteGroup = new Argument<string>("groupId") { Description = "The enrolment group" };
        policy.Add(cli.Runs(new Command("delete", "Remove a group's token policy: its devices get no more tokens") { deleteGroup }, async (parse, client, output, ct) =>
            output.Done(await client.DeleteTokenPolicyAsync(parse.GetValue(deleteGroup)!, ct), $"token policy of {parse.GetValue(deleteGroup)} deleted")));
        return policy;
    }

    public static Command Keys(CliContext cli)
    {
        var keys = new Command("token-keys", "The tenant's token signing keys (published in its JWKS)");
        keys.Add(cli.Runs(new Command("list", "List the published keys"), async (_, client, output, ct) =>
            output.Show(await client.ListTokenKeysAsync(ct), list => output.Table(["KID", "STATUS", "CREATED", "RETIRED", "PUBLISHED UNTIL"],
                list.Select(k => (IReadOnlyList<string?>)[k.KeyId, k.Status, Time(k.CreatedAt), Time(k.RetiredAt), Time(k.PublishedUntil)])))));
        keys.Add(cli.Runs(new Command("rotate", "Sign with a new key from now on; the old one stays published until its tokens expired"), async (_, client, output, ct) =>
            output.Show(await client.RotateTokenKeyAsync(ct), key => output.Line($"now signing with {key.KeyId}"))));
        return keys;
    }

    public static Command Federation(CliContext cli)
    {
        var federation = new Command("federation", "Trust other tenants' or external trust domains' devices and tokens (docs/federation.md)");
        federation.Add(cli.Runs(new Command("list", "List the federation relationships"), async (_, client, output, ct) =>
            output.Show(await client.ListFederationAsync(ct), list => output.Table(["NAME", "TENANT", "BUNDLE URL", "CREATED", "FETCHED", "NEXT FETCH", "LAST ERROR"],
                list.Select(f => (IReadOnlyList<string?>)[f.Name, f.TenantId, f.BundleUrl, Time(f.CreatedAt), Time(f.BundleFetchedAt), Time(f.NextRefreshAt), f.LastRefreshError])))));

        var name = new Argument<string>("name") { Description = "The trust domain's name ([a-z0-9-], at most 64)" };
        var tenant = new Option<string?>("--tenant") { Description = "Another tenant of this service" };
        var url = new Option<string?>("--bundle-url") { Description = "An external trust domain's SPIFFE bundle URL" };
        federation.Add(cli.Runs(new Command("add", "Federate with another tenant (--tenant) or an external trust domain (--bundle-url)") { name, tenant, url },
            async (parse, client, output, ct) =>
            {
                if ((parse.GetValue(tenant) is null) == (parse.GetValue(url) is null)) throw new UsageException("give exactly one of --tenant and --bundle-url");
                var view = new FederationView { TenantId = parse.GetValue(tenant), BundleUrl = parse.GetValue(url) };
                return output.Show(await client.PutFederationAsync(parse.GetValue(name)!, view, ct), f => output.Line($"federated with {f.TenantId ?? f.BundleUrl} as {f.Name}"));
            }));

        var refreshName = new Argument<string>("name") { Description = "The external trust domain's relationship" };
        federation.Add(cli.Runs(new Command("refresh", "Fetch an external trust domain's bundle again (on failure the stored one is kept and the reason shown)") { refreshName },
            async (parse, client, output, ct) =>
                output.Show(await client.RefreshFederationAsync(parse.GetValue(refreshName)!, ct), f => output.Line($"bundle of {f.Name} fetched again from {f.BundleUrl}"))));

        var removeName = new Argument<string>("name") { Description = "The relationship" };
        federation.Add(cli.Runs(new Command("remove", "Remove a federation relationship (relying parties stop trusting it at their next refresh)") { removeName },
            async (parse, client, output, ct) => output.Done(await client.DeleteFederationAsync(parse.GetValue(removeName)!, ct), $"federation {parse.GetValue(removeName)} removed")));
        return federation;
    }

    private static async Task<TokenPolicyView> CurrentOrNewAsync(Protocol.Management.IotIdClient client, string groupId, CancellationToken ct)
    {
        try
        {
            return (await client.GetTokenPolicyAsync(groupId, ct)).Value;
        }
        catch (IotIdApiException e) when (e.Problem.Error == nameof(Protocol.ProvisioningError.NotFound))
        {
            return new TokenPolicyView();
        }
    }

    private static void Show(CliOutput output, TokenPolicyView policy)
    {
        output.Table(["AUDIENCE", "SCOPES"], policy.Audiences.Select(a => (IReadOnlyList<string?>)[a.Key, string.Join(' ', a.Value)]));
        output.Fields(("require compliant", policy.RequireMeasuredBootCompliant ? "yes" : "no"), ("minimum firmware", policy.MinimumFirmwareRelease ?? "any"),
            ("max attestation age", policy.MaxAttestationAgeSeconds is { } s ? $"{s}s" : "none"), ("lifetime", $"{policy.DefaultLifetimeSeconds}s (max {policy.MaxLifetimeSeconds}s)"),
            ("version", policy.Version.ToString(CultureInfo.InvariantCulture)));
    }

    private static string? Time(DateTimeOffset? at) => at?.ToString("u", CultureInfo.InvariantCulture);
}
