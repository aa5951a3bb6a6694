using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// The file <c>iotid enrollments import</c> reads (<see cref="IndividualEnrollmentImportFile"/>), where an
/// <c>ekCertificate</c> cell may name a PEM or DER file relative to the CSV. Text that cannot be read as rows at all is a
/// usage error.
/// </summary>
internal static class EnrollmentImportFile
{
    public static List<IndividualEnrollmentImportRow> Read(string path)
    {
        var text = CliFiles.ReadText(path, "import file");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try
        {
            return IndividualEnrollmentImportFile.Parse(text, cell => Certificate(folder, cell));
        }
        catch (FormatException e)
        {
            throw new UsageException($"'{path}': {e.Message}");
        }
    }

    /// <summary>A certificate cell naming a file beside the CSV: PEM sent as it is, DER as base64; null when no such file.</summary>
    private static string? Certificate(string folder, string cell)
    {
        var file = Path.Combine(folder, cell);
        if (!File.Exists(file)) return null;
        var bytes = File.ReadAllBytes(file);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return text.Contains("-----BEGIN", StringComparison.Ordinal) ? text : Convert.ToBase64String(bytes);
    }
}
