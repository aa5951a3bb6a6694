using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// What every command shares: the global options (<c>--url</c>, <c>--key</c>, <c>--json</c>), the client they make, and
/// the one place a refusal, an outage or a usage mistake becomes a message and an exit code.
/// </summary>
internal sealed class CliContext(CliConsole console)
{
    public CliConsole Console { get; } = console;

    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The service's HTTP API (default: $IOTID_URL, else http://localhost:8080)", Recursive = true,
    };

    // no DefaultValueFactory: help would print the key it read from the environment
    public Option<string?> Key { get; } = new("--key")
    {
        Description = "The API key (default: $IOTID_API_KEY); never printed", Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON as it came instead of tables", Recursive = true };

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="action"/> run with a client and an output.</summary>
    public Command Runs(Command command, Func<ParseResult, IotIdClient, CliOutput, CancellationToken, Task<int>> action)
    {
        command.SetAction((parse, cancellationToken) => RunAsync(parse, action, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, IotIdClient, CliOutput, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var output = new CliOutput(Console, parse.GetValue(Json));
        try
        {
            var url = parse.GetValue(Url) ?? Console.Environment("IOTID_URL") ?? "http://localhost:8080";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
                throw new UsageException($"--url must be an http(s) URL, not '{url}'");
            var key = parse.GetValue(Key) ?? Console.Environment("IOTID_API_KEY");
            using var client = new IotIdClient(baseAddress, key, Console.Handler);
            return await action(parse, client, output, cancellationToken);
        }
        catch (UsageException e)
        {
            output.Error($"iotid: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (IotIdApiException e)
        {
            output.Problem(e);
            return ExitCodes.Refused;
        }
        catch (IotIdConnectionException e)
        {
            output.Error($"iotid: {e.Message}");
            return ExitCodes.ConnectionFailure;
        }
    }
}

/// <summary>The command line, or a file it names, is wrong; nothing was sent.</summary>
internal sealed class UsageException(string message) : Exception(message);
