using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// Downloads for the signed-in session (plain GETs, so a browser saves them): the inventory as CSV, the audit log
/// as NDJSON (the API's export, line for line) or CSV. Each reads the API with the session's key.
/// </summary>
public static class ConsoleExports
{
    /// <summary>The largest page the inventory listing serves (the store's limit; a larger one is refused).</summary>
    private const int DevicePage = 500;

    /// <summary>Maps <c>/console/export/…</c>.</summary>
    public static IEndpointRouteBuilder MapConsoleExports(this IEndpointRouteBuilder routes)
    {
        var exports = routes.MapGroup($"{ConsoleHosting.BasePath}/export").RequireAuthorization();
        exports.MapGet("/devices.csv", Devices);
        exports.MapGet("/audit.ndjson", (HttpContext http, ConsoleApi api, string? from, string? to, string? deviceId, string? action) =>
            Audit(http, api, new AuditFilter(from, to, deviceId, action), ndjson: true));
        exports.MapGet("/audit.csv", (HttpContext http, ConsoleApi api, string? from, string? to, string? deviceId, string? action) =>
            Audit(http, api, new AuditFilter(from, to, deviceId, action), ndjson: false));
        return routes;
    }

    private static async Task Devices(HttpContext http, ConsoleApi api, TimeProvider clock, string? text, string? state, bool? compliant, string? groupId,
        string? firmware, string? tag, string? seen)
    {
        using var client = api.For(SessionKey(http));
        var search = new DeviceSearch(text, state, compliant, groupId, firmware, tag, seen);
        if (search.Problem is { } problem)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync(problem, http.RequestAborted);
            return;
        }
        var now = clock.GetUtcNow();
        var rows = new StringBuilder(Csv.Row("deviceId", "state", "groupId", "tags", "firmware", "compliant", "certificateSerial", "certificateNotAfter",
            "connected", "lastSeenAt", "updatedAt"));
        try
        {
            await foreach (var page in IotIdClient.AllPagesAsync(t => client.ListDevicesAsync(search.ApiFilter, DevicePage, t, http.RequestAborted), http.RequestAborted))
                foreach (var d in page.Value.Items.Where(d => search.Matches(d, now)))
                    rows.Append(Csv.Row(d.DeviceId, d.State, d.GroupId, string.Join(' ', d.Tags ?? []), d.Firmware, d.Compliant ? "true" : "false",
                        d.CertificateSerial, d.CertificateNotAfter?.ToString("O", CultureInfo.InvariantCulture), d.Connected ? "true" : "false",
                        d.LastSeenAt?.ToString("O", CultureInfo.InvariantCulture), d.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)));
        }
        catch (IotIdApiException e)
        {
            await Refuse(http, e);
            return;
        }
        await Send(http, "text/csv; charset=utf-8", "devices.csv", rows.ToString());
    }

    private static async Task Audit(HttpContext http, ConsoleApi api, AuditFilter filter, bool ndjson)
    {
        using var client = api.For(SessionKey(http));
        var body = new StringBuilder(ndjson ? "" : Csv.Row("sequence", "at", "action", "subject", "outcome", "actor", "evidenceDigest", "hash"));
        try
        {
            await foreach (var line in client.ExportAuditAsync(filter, http.RequestAborted))
            {
                if (ndjson)
                {
                    body.Append(line).Append('\n');
                    continue;
                }
                var entry = JsonSerializer.Deserialize(line, ManagementJson.Default.AuditEntryView)!;
                var e = entry.Event;
                body.Append(Csv.Row(entry.Sequence.ToString(CultureInfo.InvariantCulture), e.At.ToString("O", CultureInfo.InvariantCulture), e.Action, e.Subject,
                    e.Outcome, e.Actor, e.EvidenceDigest, entry.Hash));
            }
        }
        catch (IotIdApiException e)
        {
            await Refuse(http, e);
            return;
        }
        await Send(http, ndjson ? "application/x-ndjson" : "text/csv; charset=utf-8", ndjson ? "audit.ndjson" : "audit.csv", body.ToString());
    }

    private static string SessionKey(HttpContext http) =>
        ConsoleUser.From(http.User)?.ApiKey ?? throw new InvalidOperationException("an export ran without a console session");

    private static Task Send(HttpContext http, string contentType, string fileName, string body)
    {
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        return http.Response.WriteAsync(body, http.RequestAborted);
    }

    private static Task Refuse(HttpContext http, IotIdApiException e)
    {
        http.Response.StatusCode = e.Status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(Components.Shared.ConsolePage.Describe(e), http.RequestAborted);
    }
}
