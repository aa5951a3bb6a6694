using System.Globalization;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Reports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The caller's compliance report for a period (<c>from</c> inclusive, <c>to</c> exclusive, at most
/// <see cref="ReportPeriod.MaxDays"/> days) as HTML (the default), PDF, JSON or CSV. Every format carries the report's
/// content digest, which is also sent as <c>X-Report-Digest</c>; <c>Content-Digest</c> (RFC 9530) is the SHA-256 of the
/// bytes sent.
/// </summary>
public static class ReportsApi
{
    /// <summary>The formats, and how each is sent.</summary>
    private static readonly Dictionary<string, (string ContentType, Func<ComplianceReport, byte[]> Render)> Formats = new(StringComparer.Ordinal)
    {
        ["html"] = ("text/html; charset=utf-8", ComplianceReportHtml.Render),
        ["pdf"] = ("application/pdf", ComplianceReportPdf.Render),
        ["json"] = ("application/json", ComplianceReportJson.Render),
        ["csv"] = ("text/csv; charset=utf-8", ComplianceReportCsv.Render),
    };

    /// <summary>Maps <c>GET /api/v1/reports/compliance</c> (auditor and above).</summary>
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder routes)
    {
        var reports = routes.MapGroup("/api/v1/reports").WithTags("Reports");
        reports.MapGet("/compliance", Compliance).RequireApiKey(ApiRole.Auditor);
        return routes;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Compliance(HttpContext http, ComplianceReportBuilder builder,
        string? from = null, string? to = null, string? format = null)
    {
        format = string.IsNullOrEmpty(format) ? "html" : format.ToLowerInvariant();
        if (!Formats.TryGetValue(format, out var how))
            return Problems.For(ProvisioningError.MalformedRequest, $"format '{format}' is not one of {string.Join(", ", Formats.Keys)}");
        if (ReportPeriod.TryParse(from, to, out var problem) is not { } period) return Problems.For(ProvisioningError.MalformedRequest, problem);
        if (format == "pdf" && DejaVuFonts.Missing is { } missing) return Problems.For(ProvisioningError.Unavailable, missing);

        var tenantId = Caller.Of(http).TenantId;
        var report = await builder.BuildAsync(tenantId, period, http.RequestAborted);
        var bytes = how.Render(report);
        http.Response.Headers["X-Report-Digest"] = ComplianceReportJson.Digest(report);
        http.Response.Headers["Content-Digest"] = $"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:";
        var name = string.Create(CultureInfo.InvariantCulture, $"compliance-{tenantId}-{period.From:yyyyMMdd'T'HHmmss'Z'}-{period.To:yyyyMMdd'T'HHmmss'Z'}.{format}");
        return TypedResults.File(bytes, how.ContentType, format == "html" ? null : name);
    }
}
