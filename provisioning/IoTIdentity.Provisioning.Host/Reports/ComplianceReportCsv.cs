using System.Text;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.WebConsole;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The report's data as one CSV table of facts, <c>section,item,field,value</c>, flattened from its JSON so no fact is
/// left out or said twice: <c>section</c> is the report's part (<c>inventory</c>, <c>policyChanges</c>, …), <c>item</c>
/// names a list's element by its first field (a state, a group id, an audit sequence) and <c>field</c> is the path within
/// it. The first row after the header carries the digest.
/// </summary>
public static class ComplianceReportCsv
{
    /// <summary>The CSV bytes (UTF-8, CRLF rows).</summary>
    public static byte[] Render(ComplianceReport report)
    {
        var csv = new StringBuilder();
        csv.Append(Csv.Row("section", "item", "field", "value"));
        csv.Append(Csv.Row("digest", "", "sha256", ComplianceReportJson.Digest(report)));
        foreach (var (name, node) in JsonNode.Parse(ComplianceReportJson.Canonical(report))!.AsObject())
        {
            if (node is JsonArray list)
            {
                foreach (var element in list) Flatten(csv, name, ItemName(element), "", element);
            }
            else Flatten(csv, name, "", "", node);
        }
        return new UTF8Encoding(false).GetBytes(csv.ToString());
    }

    private static void Flatten(StringBuilder csv, string section, string item, string path, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    var field = path.Length == 0 ? name : $"{path}.{name}";
                    if (child is JsonArray inner && inner.Any(e => e is JsonObject))
                        foreach (var element in inner) Flatten(csv, $"{section}.{field}", ItemName(element), "", element);
                    else Flatten(csv, section, item, field, child);
                }
                break;
            case JsonArray values:
                csv.Append(Csv.Row(section, item, path, string.Join(' ', values.Select(v => v?.ToString()))));
                break;
            default:
                csv.Append(Csv.Row(section, item, path, node?.ToString() ?? ""));
                break;
        }
    }

    private static string ItemName(JsonNode? element) => element is JsonObject o && o.Count > 0 ? o.First().Value?.ToString() ?? "" : element?.ToString() ?? "";
}
