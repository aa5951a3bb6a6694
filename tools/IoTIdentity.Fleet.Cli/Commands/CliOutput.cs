using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// Everything <c>iotid</c> prints: results on standard output (Spectre tables, or with <c>--json</c> the API's JSON as it
/// came), notes and errors on standard error. Cell text is never read as markup.
/// </summary>
internal sealed class CliOutput
{
    private readonly CliConsole _console;
    private readonly IAnsiConsole _tables;

    public CliOutput(CliConsole console, bool json, bool wide = false)
    {
        _console = console;
        IsJson = json;
        IsWide = wide;
        _tables = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = console.Ansi ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.Ansi ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(console.Out),
        });
        // --wide promises whole ids: its tables are never cropped to the terminal (a long row wraps instead)
        _tables.Profile.Width = wide ? Math.Max(console.Width, WideWidth) : console.Width;
    }

    /// <summary>How wide a <c>--wide</c> table may grow: a row of whole ids, serials, times, tags and links.</summary>
    public const int WideWidth = 1000;

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool IsJson { get; }

    /// <summary>Whether <c>--wide</c> was given: whole ids in tables.</summary>
    public bool IsWide { get; }

    /// <summary>The API's JSON as it came (nothing for an empty body, e.g. a 204).</summary>
    public void Raw(string json)
    {
        if (json.Length > 0) _console.Out.WriteLine(json);
    }

    /// <summary>A change the service made: its answer as it came with <c>--json</c> (nothing for a 204), else <paramref name="message"/>.</summary>
    public int Done(string body, string message)
    {
        if (IsJson) Raw(body);
        else Line(message);
        return ExitCodes.Ok;
    }

    /// <summary>An answer: its JSON as it came with <c>--json</c>, else <paramref name="render"/>ed.</summary>
    public int Show<T>(ApiResult<T> answer, Action<T> render)
    {
        if (IsJson) Raw(answer.Json);
        else render(answer.Value);
        return ExitCodes.Ok;
    }

    /// <summary>A result line.</summary>
    public void Line(string text) => _console.Out.WriteLine(text);

    /// <summary>A note beside the results (progress, where more pages are).</summary>
    public void Note(string text) => _console.Error.WriteLine(text);

    /// <summary>An error message.</summary>
    public void Error(string text) => _console.Error.WriteLine(text);

    /// <summary>A table with a header row.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var table = new Table { Border = _console.Ansi ? TableBorder.Rounded : TableBorder.Simple };
        foreach (var header in headers) table.AddColumn(new TableColumn(new Text(header)) { NoWrap = true });
        foreach (var row in rows) table.AddRow(row.Select(IRenderable (cell) => new Text(cell ?? "-")));
        _tables.Write(table);
    }

    /// <summary>One object as name/value lines.</summary>
    public void Fields(params IEnumerable<(string Name, string? Value)> fields)
    {
        var grid = new Grid().AddColumn(new GridColumn { NoWrap = true, Padding = new Padding(0, 0, 2, 0) }).AddColumn();
        foreach (var (name, value) in fields) grid.AddRow(new Text(name), new Text(value ?? "-"));
        _tables.Write(grid);
    }

    /// <summary>A refusal: the problem's title, status, detail and reason.</summary>
    public void Problem(IotIdApiException refusal)
    {
        var p = refusal.Problem;
        var text = new StringBuilder($"iotid: refused: {p.Title} ({refusal.Status})");
        if (p.Detail is not null) text.Append($": {p.Detail}");
        foreach (var code in new[] { p.Error, p.Reason }.Distinct())
            if (code is not null && code != p.Title) text.Append($" [{code}]");
        Error(text.ToString());
    }

    /// <summary>A time as tables show it (UTC, to the second).</summary>
    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>
    /// Pages fetched one after another as one last page, <c>{"items":[…],"continuationToken":null}</c>, each item's
    /// JSON as the service sent it.
    /// </summary>
    public static string MergePages(IEnumerable<string> pages)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var page in pages)
            {
                using var document = JsonDocument.Parse(page);
                var items = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("items");
                foreach (var item in items.EnumerateArray()) item.WriteTo(writer);
            }
            writer.WriteEndArray();
            writer.WriteNull("continuationToken");
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
