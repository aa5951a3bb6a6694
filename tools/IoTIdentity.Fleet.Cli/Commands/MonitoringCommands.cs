using System.CommandLine;
using System.Text.Json;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid monitoring policy|set-policy|release</c> and <c>iotid webhooks list|add|remove|deliveries</c>.</summary>
internal static class MonitoringCommands
{
    public static Command Monitoring(CliContext cli)
    {
        var monitoring = new Command("monitoring", "The monitoring policy (thresholds, remediation, action cap) and quarantine release");
        monitoring.Add(cli.Runs(new Command("policy", "Show the monitoring policy"), async (_, client, output, ct) =>
            output.Show(await client.GetMonitoringPolicyAsync(ct), p => output.Raw(JsonSerializer.Serialize(p, ManagementJson.Default.MonitoringPolicyView)))));

        var file = new Argument<string>("file") { Description = "A JSON file with the policy (as `iotid monitoring policy` prints it)" };
        monitoring.Add(cli.Runs(new Command("set-policy", "Replace the monitoring policy (owner-admin)") { file }, async (parse, client, output, ct) =>
        {
            var path = parse.GetValue(file)!;
            MonitoringPolicyView policy;
            try
            {
                policy = JsonSerializer.Deserialize(CliFiles.ReadText(path, "policy"), ManagementJson.Default.MonitoringPolicyView)
                    ?? throw new UsageException($"'{path}' holds no policy");
            }
            catch (JsonException e)
            {
                throw new UsageException($"'{path}' is not a monitoring policy: {e.Message}");
            }
            return output.Show(await client.SetMonitoringPolicyAsync(policy, ct), p => output.Line($"monitoring policy version {p.Version} in force"));
        }));

        var device = DeviceCommands.DeviceArgument();
        monitoring.Add(cli.Runs(new Command("release", "Release a quarantined device: it may renew again") { device }, async (parse, client, output, ct) =>
        {
            var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(device)!, ct);
            return output.Done(await client.ReleaseDeviceAsync(deviceId, ct), $"device {deviceId} released");
        }));
        return monitoring;
    }

    public static Command Webhooks(CliContext cli)
    {
        var webhooks = new Command("webhooks", "Where findings are sent: signed HTTPS webhooks and their delivery log");
        webhooks.Add(cli.Runs(new Command("list", "List webhook endpoints (never their secrets)"), async (_, client, output, ct) =>
        {
            var page = await client.ListWebhooksAsync(ct);
            if (output.IsJson) output.Raw(page.Json);
            else output.Table(["ID", "URL", "MIN SEVERITY", "CREATED"], page.Value.Items.Select(w => (IReadOnlyList<string?>)[w.Id, w.Url, w.MinimumSeverity, CliOutput.Time(w.CreatedAt)]));
            return ExitCodes.Ok;
        }));

        var url = new Argument<string>("url") { Description = "An https URL (http only to loopback)" };
        var severity = new Option<string?>("--min-severity") { Description = "Only findings at least this severe (Low, Medium, High, Critical)" };
        webhooks.Add(cli.Runs(new Command("add", "Add an endpoint; its signing secret is printed this once") { url, severity }, async (parse, client, output, ct) =>
            output.Show(await client.CreateWebhookAsync(new CreateWebhookRequest(parse.GetValue(url), parse.GetValue(severity)), ct), w => output.Fields(
                ("webhook", w.Id), ("url", w.Url), ("min severity", w.MinimumSeverity), ("secret", w.Secret)))));

        var id = new Argument<string>("webhookId") { Description = "The endpoint (wh-…)" };
        webhooks.Add(cli.Runs(new Command("remove", "Remove an endpoint") { id }, async (parse, client, output, ct) =>
            output.Done(await client.DeleteWebhookAsync(parse.GetValue(id)!, ct), $"webhook {parse.GetValue(id)} removed")));

        webhooks.Add(cli.Runs(new Command("deliveries", "How recent deliveries ended, newest first"), async (_, client, output, ct) =>
        {
            var page = await client.ListWebhookDeliveriesAsync(ct);
            if (output.IsJson) output.Raw(page.Json);
            else output.Table(["AT", "WEBHOOK", "FINDING", "DELIVERED", "ATTEMPTS", "STATUS", "ERROR"], page.Value.Items.Select(d => (IReadOnlyList<string?>)
                [CliOutput.Time(d.At), d.EndpointId, d.FindingId, d.Delivered ? "yes" : "no", d.Attempts.ToString(), d.StatusCode?.ToString(), d.Error]));
            return ExitCodes.Ok;
        }));
        return webhooks;
    }
}
