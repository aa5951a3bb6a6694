using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The report as an A4 PDF drawn with PDFsharp in DejaVu Sans (<see cref="DejaVuFonts"/>): the same blocks as the HTML
/// page, tables wrapped to the page and continued with their header on the next, charts as PNG. Deterministic: the
/// document's dates are the period's end, and its file identifier, font subset names and XMP ids are derived from the
/// report's digest, so the same data gives the same bytes.
/// </summary>
public static partial class ComplianceReportPdf
{
    private const double Margin = 40, LineGap = 1.25;
    /// <summary>The PDF bytes. Check <see cref="DejaVuFonts.Missing"/> first: without the fonts there is no PDF.</summary>
    public static byte[] Render(ComplianceReport report)
    {
        DejaVuFonts.Register();
        var digest = ComplianceReportJson.Digest(report);
        using var document = new PdfDocument();
        document.Info.Title = ComplianceReportLayout.Title(report);
        document.Info.Subject = $"{ComplianceReportLayout.Period(report)}; SHA-256 {digest}";
        document.Info.Creator = "IoTIdentity";
        document.Info.CreationDate = report.To.UtcDateTime;
        document.Info.ModificationDate = report.To.UtcDateTime;
        var id = Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(digest)).AsSpan(0, 16));
        document.Internals.FirstDocumentID = id;
        document.Internals.SecondDocumentID = id;

        var writer = new PageWriter(document, digest);
        writer.Text(ComplianceReportLayout.Title(report), writer.Title);
        foreach (var block in ComplianceReportLayout.Blocks(report))
        {
            switch (block)
            {
                case ReportHeading h:
                    writer.Space(8);
                    writer.Text(h.Text, writer.Heading);
                    break;
                case ReportParagraph p:
                    writer.Text(p.Text, writer.Body);
                    break;
                case ReportTable t:
                    writer.Table(t);
                    break;
                case ReportChart c:
                    writer.Chart(ComplianceCharts.Png(c.Draw(report)));
                    break;
            }
        }
        writer.Close();
        using var output = new MemoryStream();
        document.Save(output, false);
        return Settle(output.ToArray(), digest);
    }

    /// <summary>
    /// PDFsharp names embedded font subsets with six random letters and gives the XMP packet random UUIDs, and has no
    /// option to do otherwise; both are replaced, in order of appearance, by values derived from the digest. They keep
    /// their lengths, so every cross-reference offset still holds. (Latin-1 maps bytes to characters one to one.)
    /// </summary>
    private static byte[] Settle(byte[] pdf, string digest)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var subsets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in SubsetName().Matches(text))
        {
            if (subsets.ContainsKey(m.Groups[1].Value)) continue;
            var seed = Derived(digest, "subset", subsets.Count);
            subsets[m.Groups[1].Value] = string.Concat(seed.Take(6).Select(b => (char)('A' + b % 26)));
        }
        foreach (var (random, settled) in subsets) text = text.Replace(random + "+", settled + "+", StringComparison.Ordinal);
        var uuids = 0;
        text = XmpUuid().Replace(text, _ => $"uuid:{new Guid(Derived(digest, "xmp", uuids++).AsSpan(0, 16)):D}");
        return Encoding.Latin1.GetBytes(text);
    }

    private static byte[] Derived(string digest, string purpose, int index) =>
        SHA256.HashData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{digest}/{purpose}/{index}")));

    [GeneratedRegex("/(?:FontName|BaseFont)/([A-Z]{6})\\+")]
    private static partial Regex SubsetName();

    [GeneratedRegex("uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex XmpUuid();

    /// <summary>Draws top to bottom, starting a new page when the next line, row or chart does not fit.</summary>
    private sealed class PageWriter(PdfDocument document, string digest)
    {
        public readonly XFont Body = new(DejaVuFonts.Family, 9, XFontStyleEx.Regular, XPdfFontOptions.UnicodeDefault);
        public readonly XFont Heading = new(DejaVuFonts.Family, 12, XFontStyleEx.Bold, XPdfFontOptions.UnicodeDefault);
        public readonly XFont Title = new(DejaVuFonts.Family, 15, XFontStyleEx.Bold, XPdfFontOptions.UnicodeDefault);
        private readonly XFont Small = new(DejaVuFonts.Family, 6.5, XFontStyleEx.Regular, XPdfFontOptions.UnicodeDefault);
        private readonly XFont SmallBold = new(DejaVuFonts.Family, 6.5, XFontStyleEx.Bold, XPdfFontOptions.UnicodeDefault);
        private readonly XGraphics _measure = XGraphics.CreateMeasureContext(new XSize(595, 842), XGraphicsUnit.Point, XPageDirection.Downwards);
        private XGraphics? _page;
        private double _y;
        private int _pages;
        private double Width => 595 - 2 * Margin;
        private const double Bottom = 842 - Margin - 14;

        public void Text(string text, XFont font)
        {
            foreach (var line in Wrap(text, font, Width))
            {
                var height = font.Size * LineGap;
                var page = Room(height);
                page.DrawString(line, font, XBrushes.Black, new XRect(Margin, _y, Width, height), XStringFormats.TopLeft);
                _y += height;
            }
            _y += 3;
        }

        public void Space(double points) => _y += points;

        public void Table(ReportTable table)
        {
            if (table.Rows.Count == 0)
            {
                Text("None.", Body);
                return;
            }
            var widths = ColumnWidths(table);
            Row(table.Columns, widths, SmallBold, header: true);
            foreach (var row in table.Rows)
            {
                if (Row(row, widths, Small, header: false)) Row(table.Columns, widths, SmallBold, header: true);
            }
            if (table.Omitted > 0) Text($"And {table.Omitted} more, listed in the CSV and JSON.", Small);
            _y += 4;
        }

        /// <summary>
        /// Each column's widest cell on one line; when they do not all fit, columns narrower than a fifth of the page keep
        /// their width and the wide ones (ids, details) share the rest in proportion, wrapping; when that leaves them under a quarter
        /// of the page, every column shrinks in proportion.
        /// </summary>
        private double[] ColumnWidths(ReportTable table)
        {
            var natural = table.Columns.Select((c, i) => table.Rows.Select(r => _measure.MeasureString(r[i], Small).Width)
                .Append(_measure.MeasureString(c, SmallBold).Width).Max() + 6).ToArray();
            if (natural.Sum() <= Width) return [.. natural.Select(w => w * Width / natural.Sum())];
            var narrow = natural.Select(w => w <= Width / 5).ToArray();
            var rest = Width - natural.Where((_, i) => narrow[i]).Sum();
            var wide = natural.Where((_, i) => !narrow[i]).Sum();
            // many narrow columns leave the wide ones too little (or there are none): every column shrinks in proportion
            if (wide == 0 || rest < Width / 4) return [.. natural.Select(w => w * Width / natural.Sum())];
            return [.. natural.Select((w, i) => narrow[i] ? w : w * rest / wide)];
        }

        public void Chart(byte[] png)
        {
            var height = Width * ComplianceCharts.Height / ComplianceCharts.Width;
            var page = Room(height);
            using var image = XImage.FromStream(new MemoryStream(png));
            page.DrawImage(image, Margin, _y, Width, height);
            _y += height + 6;
        }

        public void Close()
        {
            _page?.Dispose();
            _measure.Dispose();
        }

        /// <summary>Draws a row; true when it had to start a new page first (the caller repeats the header after it).</summary>
        private bool Row(IReadOnlyList<string> cells, double[] widths, XFont font, bool header)
        {
            var lines = cells.Select((c, i) => Wrap(c, font, widths[i] - 4)).ToList();
            var height = lines.Max(l => l.Count) * font.Size * LineGap + 3;
            var pagesBefore = _pages;
            var page = Room(height);
            var x = Margin;
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = new XRect(x, _y, widths[i], height);
                if (header) page.DrawRectangle(XBrushes.Gainsboro, cell);
                page.DrawRectangle(new XPen(XColors.Gray, 0.4), cell);
                for (var l = 0; l < lines[i].Count; l++)
                    page.DrawString(lines[i][l], font, XBrushes.Black, new XRect(x + 2, _y + 1.5 + l * font.Size * LineGap, widths[i] - 4, font.Size * LineGap), XStringFormats.TopLeft);
                x += widths[i];
            }
            _y += height;
            return !header && _pages != pagesBefore;
        }

        private XGraphics Room(double height)
        {
            if (_page is not null && _y + height <= Bottom) return _page;
            _page?.Dispose();
            var page = document.AddPage();
            page.Size = PageSize.A4;
            _pages++;
            _page = XGraphics.FromPdfPage(page);
            _page.DrawString($"Page {_pages.ToString(CultureInfo.InvariantCulture)} · SHA-256 {digest}", Small, XBrushes.DimGray,
                new XRect(Margin, 842 - Margin, Width, 10), XStringFormats.TopLeft);
            _y = Margin;
            return _page;
        }

        /// <summary>Breaks at spaces to fit <paramref name="width"/>; a word wider than that (a digest, an id) is broken anywhere.</summary>
        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            var line = "";
            foreach (var word in text.Split(' '))
            {
                var candidate = line.Length == 0 ? word : $"{line} {word}";
                if (_measure.MeasureString(candidate, font).Width <= width)
                {
                    line = candidate;
                    continue;
                }
                if (line.Length > 0) lines.Add(line);
                line = "";
                foreach (var ch in word)
                {
                    if (line.Length > 0 && _measure.MeasureString(line + ch, font).Width > width)
                    {
                        lines.Add(line);
                        line = "";
                    }
                    line += ch;
                }
            }
            lines.Add(line);
            return lines;
        }
    }
}
