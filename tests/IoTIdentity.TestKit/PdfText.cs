using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.TestKit;

/// <summary>The text of a PDF as poppler's <c>pdftotext</c> reads it: what a reader of the document would see.</summary>
public static class PdfText
{
    private const string InstallHint = "pdftotext is missing: run scripts/install-deps.sh (or `apt-get install poppler-utils`).";

    /// <summary>
    /// The text of <paramref name="pdf"/> in the order it was drawn (<c>pdftotext -raw</c>: a table cell's wrapped lines
    /// follow each other); fails with how to install the tool when it is missing.
    /// </summary>
    public static async Task<string> ReadAsync(byte[] pdf)
    {
        var tool = ProcessRunner.FindOnPath("pdftotext") ?? throw new InvalidOperationException(InstallHint);
        var path = Path.Combine(Path.GetTempPath(), $"iotid-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var result = await ProcessRunner.RunAsync(tool, ["-raw", "-enc", "UTF-8", path, "-"], TimeSpan.FromSeconds(60));
            return result.EnsureSuccess("pdftotext").StandardOutput;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
