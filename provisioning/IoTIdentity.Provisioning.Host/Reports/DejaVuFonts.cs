using PdfSharp.Fonts;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The fonts the PDF is set in: DejaVu Sans and DejaVu Sans Bold from Debian's <c>fonts-dejavu-core</c>
/// (<c>scripts/install-deps.sh</c> installs it). PDFsharp 6 on Linux finds no system fonts by itself, so this resolver
/// hands it those two files for every family it asks for, and is registered once per process.
/// </summary>
public sealed class DejaVuFonts : IFontResolver
{
    /// <summary>Where Debian puts the fonts.</summary>
    public const string Directory = "/usr/share/fonts/truetype/dejavu";

    /// <summary>The family name the PDF asks for.</summary>
    public const string Family = "DejaVu Sans";

    private const string Regular = "DejaVuSans.ttf", Bold = "DejaVuSans-Bold.ttf";
    private static readonly Lock Registration = new();
    private static bool _registered;

    /// <summary>Why no PDF can be made here (the fonts are missing), or null when it can.</summary>
    public static string? Missing =>
        File.Exists(Path.Combine(Directory, Regular)) && File.Exists(Path.Combine(Directory, Bold))
            ? null
            : $"the PDF needs {Regular} and {Bold} in {Directory}: install Debian's fonts-dejavu-core (scripts/install-deps.sh does)";

    /// <summary>Makes PDFsharp use these fonts (once; later calls do nothing).</summary>
    public static void Register()
    {
        lock (Registration)
        {
            if (_registered) return;
            GlobalFontSettings.FontResolver = new DejaVuFonts();
            _registered = true;
        }
    }

    /// <inheritdoc/>
    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) => new(isBold ? Bold : Regular);

    /// <inheritdoc/>
    public byte[]? GetFont(string faceName) => File.ReadAllBytes(Path.Combine(Directory, faceName));
}
