using System.Text.Json;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// The file <c>iotid enrollments import</c> reads: JSON (the API's import body, or an array of its rows) or CSV with a
/// header naming its columns — <c>deviceId</c>, <c>ekCertificate</c> (a PEM or DER file, relative to the CSV, or base64
/// DER), <c>groupId</c>, <c>enabled</c>, <c>claimCodeSha256</c>. A row's fault is the service's to report; only a file
/// that cannot be read as rows at all is a usage error.
/// </summary>
internal static class EnrollmentImportFile
{
    private static readonly string[] Columns = ["deviceId", "ekCertificate", "groupId", "enabled", "claimCodeSha256"];

    public static List<IndividualEnrollmentImportRow> Read(string path)
    {
        var text = CliFiles.ReadText(path, "import file");
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? ReadJson(path, text) : ReadCsv(path, text);
    }

    private static List<IndividualEnrollmentImportRow> ReadJson(string path, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var rows = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement
                : document.RootElement.TryGetProperty("rows", out var r) ? r : throw new UsageException($"'{path}' is JSON without a rows array");
            return rows.EnumerateArray().Select(row => row.Deserialize(ManagementJson.Default.IndividualEnrollmentImportRow) ?? new IndividualEnrollmentImportRow()).ToList();
        }
        catch (JsonException e)
        {
            throw new UsageException($"'{path}' is not an import's JSON: {e.Message}");
        }
    }

    private static List<IndividualEnrollmentImportRow> ReadCsv(string path, string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
        if (lines.Count == 0) throw new UsageException($"'{path}' holds no rows");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        if (header.FirstOrDefault(h => !Columns.Contains(h, StringComparer.OrdinalIgnoreCase)) is { } unknown)
            throw new UsageException($"'{path}': unknown column '{unknown}' in the header; the columns are {string.Join(", ", Columns)}");
        if (!header.Any(h => h.Equals("deviceId", StringComparison.OrdinalIgnoreCase) || h.Equals("ekCertificate", StringComparison.OrdinalIgnoreCase)))
            throw new UsageException($"'{path}': the header needs a deviceId or an ekCertificate column");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',').Select(c => c.Trim()).ToList();
            string? Cell(string name)
            {
                var at = header.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
                return at >= 0 && at < cells.Count && cells[at].Length > 0 ? cells[at] : null;
            }
            return new IndividualEnrollmentImportRow(Cell("deviceId"), Certificate(folder, Cell("ekCertificate")), Cell("groupId"),
                Cell("enabled") is { } enabled ? !enabled.Equals("false", StringComparison.OrdinalIgnoreCase) && enabled != "0" : null, Cell("claimCodeSha256"));
        }).ToList();
    }

    /// <summary>A certificate cell: a file beside the CSV (PEM sent as it is, DER as base64), else the cell itself (base64 DER).</summary>
    private static string? Certificate(string folder, string? cell)
    {
        if (cell is null) return null;
        var file = Path.Combine(folder, cell);
        if (!File.Exists(file)) return cell;
        var bytes = File.ReadAllBytes(file);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return text.Contains("-----BEGIN", StringComparison.Ordinal) ? text : Convert.ToBase64String(bytes);
    }
}
