using System.Text;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// CSV rows (RFC 4180): fields with a comma, quote or line break are quoted, and a field a spreadsheet would run
/// as a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>) is prefixed with an apostrophe.
/// </summary>
public static class Csv
{
    /// <summary>One row, ending in CRLF.</summary>
    public static string Row(params string?[] fields)
    {
        var line = new StringBuilder();
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) line.Append(',');
            line.Append(Field(fields[i] ?? ""));
        }
        return line.Append("\r\n").ToString();
    }

    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
