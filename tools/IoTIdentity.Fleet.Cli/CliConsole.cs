namespace IoTIdentity.Fleet.Cli;

/// <summary>Where <c>iotid</c> writes and what it reads from its surroundings: the process's console, or a test's buffers.</summary>
public sealed record CliConsole
{
    /// <summary>Results (tables, or the API's JSON with <c>--json</c>).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors and progress notes.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Reads an environment variable (<c>IOTID_URL</c>, <c>IOTID_API_KEY</c>).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The HTTP handler requests go through; null for a new socket handler per command.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Columns tables may use.</summary>
    public int Width { get; init; } = 200;

    /// <summary>Whether tables may use colour and box-drawing escape sequences (a terminal).</summary>
    public bool Ansi { get; init; }

    /// <summary>The process's own console: ANSI and its width when it is a terminal, plain and wide when redirected.</summary>
    public static CliConsole Process() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Ansi = !Console.IsOutputRedirected,
        Width = Console.IsOutputRedirected ? 200 : Math.Max(80, Console.WindowWidth),
    };
}
