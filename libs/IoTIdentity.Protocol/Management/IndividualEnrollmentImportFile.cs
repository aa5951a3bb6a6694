using System.Text.Json;

namespace IoTIdentity.Protocol.Management;

/// <summary>
/// An individual-enrolment import file read as <see cref="IndividualEnrollmentImportRow"/>s, as <c>iotid enrollments
/// import</c> and the console's Enrolments page read it: JSON (the API's import body, or an array of its rows) or CSV with
/// a header naming its columns — <c>deviceId</c>, <c>ekCertificate</c>, <c>groupId</c>, <c>enabled</c>,
/// <c>claimCodeSha256</c>. A row's fault is the service's to report; only text that cannot be read as rows at all is refused here.
/// </summary>
public static class IndividualEnrollmentImportFile
{
    /// <summary>The CSV header's column names (any order, any case).</summary>
    public static readonly string[] Columns = ["deviceId", "ekCertificate", "groupId", "enabled", "claimCodeSha256"];

    /// <summary>The rows of <paramref name="text"/>.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="certificate">Reads an <c>ekCertificate</c> cell (the CLI reads a file of that name beside the CSV);
    /// when absent, or when it answers null, the cell is sent as it is (base64 DER or PEM).</param>
    /// <exception cref="FormatException">The text is not an import: names what is wrong.</exception>
    public static List<IndividualEnrollmentImportRow> Parse(string text, Func<string, string?>? certificate = null)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? ParseJson(text) : ParseCsv(text, certificate);
    }

    private static List<IndividualEnrollmentImportRow> ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var rows = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement
                : document.RootElement.TryGetProperty("rows", out var r) && r.ValueKind == JsonValueKind.Array ? r
                : throw new FormatException("JSON without a rows array");
            return rows.EnumerateArray().Select(row => row.Deserialize(ManagementJson.Default.IndividualEnrollmentImportRow) ?? new IndividualEnrollmentImportRow()).ToList();
        }
        catch (JsonException e)
        {
            throw new FormatException($"not an import's JSON: {e.Message}");
        }
    }

    private static List<IndividualEnrollmentImportRow> ParseCsv(string text, Func<string, string?>? certificate)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
        if (lines.Count == 0) throw new FormatException("no rows");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        if (header.FirstOrDefault(h => !Columns.Contains(h, StringComparer.OrdinalIgnoreCase)) is { } unknown)
            throw new FormatException($"unknown column '{unknown}' in the header; the columns are {string.Join(", ", Columns)}");
        if (!header.Any(h => h.Equals("deviceId", StringComparison.OrdinalIgnoreCase) || h.Equals("ekCertificate", StringComparison.OrdinalIgnoreCase)))
            throw new FormatException("the header needs a deviceId or an ekCertificate column");
        return lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',').Select(c => c.Trim()).ToList();
            string? Cell(string name)
            {
                var at = header.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
                return at >= 0 && at < cells.Count && cells[at].Length > 0 ? cells[at] : null;
            }
            var ek = Cell("ekCertificate");
            return new IndividualEnrollmentImportRow(Cell("deviceId"), ek is null ? null : certificate?.Invoke(ek) ?? ek, Cell("groupId"),
                Cell("enabled") is { } enabled ? !enabled.Equals("false", StringComparison.OrdinalIgnoreCase) && enabled != "0" : null, Cell("claimCodeSha256"));
        }).ToList();
    }
}
