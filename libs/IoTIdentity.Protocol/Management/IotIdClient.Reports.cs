namespace IoTIdentity.Protocol.Management;

/// <summary>The report routes.</summary>
public sealed partial class IotIdClient
{
    /// <summary>
    /// <c>GET /api/v1/reports/compliance</c> (auditor): the caller's compliance report for <paramref name="from"/> (inclusive)
    /// to <paramref name="to"/> (exclusive), ISO 8601, as <paramref name="format"/> (<c>html</c>, <c>pdf</c>, <c>json</c>, <c>csv</c>).
    /// </summary>
    public async Task<ComplianceReportFile> GetComplianceReportAsync(string from, string to, string format, CancellationToken cancellationToken = default)
    {
        using var response = await CallAsync(new HttpRequestMessage(HttpMethod.Get, Query("/api/v1/reports/compliance", ("from", from), ("to", to), ("format", format))),
            HttpCompletionOption.ResponseContentRead, cancellationToken);
        var digest = response.Headers.TryGetValues("X-Report-Digest", out var values) ? values.FirstOrDefault() : null;
        return new ComplianceReportFile(await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType, digest);
    }
}
