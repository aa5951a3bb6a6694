namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// One piece of the report as people read it — a heading, a paragraph, a table, a chart — laid out once by
/// <see cref="ComplianceReportLayout"/> and drawn by both the HTML and the PDF renderer, so the two say the same things
/// in the same order. A closed hierarchy: the renderers switch over exactly these.
/// </summary>
public abstract record ReportBlock;

/// <summary>A section heading.</summary>
public sealed record ReportHeading(string Text) : ReportBlock;

/// <summary>A paragraph of plain text.</summary>
public sealed record ReportParagraph(string Text) : ReportBlock;

/// <summary>A table; <paramref name="Omitted"/> rows beyond those shown are in the CSV and JSON.</summary>
public sealed record ReportTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, int Omitted = 0) : ReportBlock;

/// <summary>A chart, drawn by <see cref="ComplianceCharts"/>.</summary>
public sealed record ReportChart(string Caption, Func<ComplianceReport, ScottPlot.Plot> Draw) : ReportBlock;
