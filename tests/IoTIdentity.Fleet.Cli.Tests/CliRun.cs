using IoTIdentity.Fleet.Cli;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>One in-process run of <c>iotid</c>: its exit code and what it wrote.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs the command tree with <paramref name="args"/>, output captured, requests through <paramref name="handler"/> (a real socket handler when null).</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> args, HttpMessageHandler? handler = null, IDictionary<string, string>? environment = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole
        {
            Out = output, Error = error, Handler = handler, Width = 240,
            Environment = name => environment is not null && environment.TryGetValue(name, out var v) ? v : null,
        };
        var code = await IotIdCli.RunAsync([.. args], console);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts the run exited <paramref name="expected"/>, showing what it printed when it did not.</summary>
    public CliRun Exited(int expected)
    {
        Assert.True(ExitCode == expected, $"exit {ExitCode}, expected {expected}\nstdout:\n{Out}\nstderr:\n{Error}");
        return this;
    }
}
