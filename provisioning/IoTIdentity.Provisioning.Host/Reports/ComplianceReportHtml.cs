using System.Globalization;
using System.Net;
using System.Text;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The report as one self-contained HTML page (styles and SVG charts inline, nothing fetched) that prints cleanly: A4
/// pages, tables that repeat their header row and do not split rows, charts kept whole, no colours needed for meaning.
/// </summary>
public static class ComplianceReportHtml
{
    private const string Style = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; margin: 2em; }
        h1 { font-size: 16pt; margin-bottom: 0.2em; }
        h2 { font-size: 13pt; border-bottom: 1px solid #888; margin-top: 1.6em; break-after: avoid; }
        table { border-collapse: collapse; width: 100%; margin: 0.6em 0; }
        th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; word-break: break-all; }
        th { background: #eee; }
        tr { break-inside: avoid; }
        thead { display: table-header-group; }
        figure { margin: 0.6em 0; break-inside: avoid; }
        figure svg { max-width: 100%; height: auto; }
        .omitted, figcaption { font-style: italic; color: #444; }
        footer { margin-top: 2em; font-size: 8pt; color: #444; word-break: break-all; }
        @page { size: A4; margin: 15mm; }
        @media print { body { margin: 0; font-size: 9pt; } th { background: none; } a { color: inherit; text-decoration: none; } }
        """;

    /// <summary>The page as UTF-8 bytes.</summary>
    public static byte[] Render(ComplianceReport report)
    {
        var html = new StringBuilder();
        var title = Encode(ComplianceReportLayout.Title(report));
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{title}</h1>\n");
        var charts = 0;
        foreach (var block in ComplianceReportLayout.Blocks(report))
        {
            switch (block)
            {
                case ReportHeading h:
                    html.Append(CultureInfo.InvariantCulture, $"<h2>{Encode(h.Text)}</h2>\n");
                    break;
                case ReportParagraph p:
                    html.Append(CultureInfo.InvariantCulture, $"<p>{Encode(p.Text)}</p>\n");
                    break;
                case ReportTable t:
                    Table(html, t);
                    break;
                case ReportChart c:
                    html.Append(CultureInfo.InvariantCulture,
                        $"<figure>\n{ComplianceCharts.Svg(c.Draw(report), $"chart{++charts}")}\n<figcaption>{Encode(c.Caption)}</figcaption>\n</figure>\n");
                    break;
            }
        }
        html.Append(CultureInfo.InvariantCulture, $"<footer>{Encode(ComplianceReportLayout.Period(report))}. SHA-256 {ComplianceReportJson.Digest(report)}</footer>\n</body>\n</html>\n");
        return new UTF8Encoding(false).GetBytes(html.ToString());
    }

    private static void Table(StringBuilder html, ReportTable table)
    {
        if (table.Rows.Count == 0)
        {
            html.Append("<p class=\"omitted\">None.</p>\n");
            return;
        }
        html.Append("<table>\n<thead><tr>");
        foreach (var column in table.Columns) html.Append(CultureInfo.InvariantCulture, $"<th>{Encode(column)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append(CultureInfo.InvariantCulture, $"<td>{Encode(cell)}</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (table.Omitted > 0) html.Append(CultureInfo.InvariantCulture, $"<p class=\"omitted\">And {table.Omitted} more, listed in the CSV and JSON.</p>\n");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
