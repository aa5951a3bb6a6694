using System.CommandLine;
using IoTIdentity.Fleet.Cli.Contexts;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// What every command shares: the global options (<c>--url</c>, <c>--key</c>, <c>--context</c>, <c>--json</c>, <c>--wide</c>),
/// the client they make, and the one place a refusal, an outage or a usage mistake becomes a message and an exit code.
/// The service and key come from, first to last: <c>--url</c>/<c>--key</c>; the context <c>--context</c> names;
/// <c>$IOTID_URL</c>/<c>$IOTID_API_KEY</c>; the context in use (<c>iotid context use</c>); http://localhost:8080 and no key.
/// </summary>
internal sealed class CliContext(CliConsole console)
{
    public CliConsole Console { get; } = console;

    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The service's HTTP API (default: --context's, $IOTID_URL, the context in use, else http://localhost:8080)", Recursive = true,
    };

    // no DefaultValueFactory: help would print the key it read from the environment
    public Option<string?> Key { get; } = new("--key")
    {
        Description = "The API key (default: --context's, $IOTID_API_KEY, the context in use); never printed", Recursive = true,
    };

    public Option<string?> Context { get; } = new("--context") { Description = "Use this saved context (iotid context list)", Recursive = true };

    public Option<bool> Wide { get; } = new("--wide") { Description = "Show whole ids in tables instead of unique prefixes", Recursive = true };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON as it came instead of tables", Recursive = true };

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="action"/> run with a client and an output.</summary>
    public Command Runs(Command command, Func<ParseResult, IotIdClient, CliOutput, CancellationToken, Task<int>> action)
    {
        command.SetAction((parse, cancellationToken) => RunAsync(parse, action, cancellationToken));
        return command;
    }

    /// <summary>Sets <paramref name="command"/>'s action to one that needs no service, only the saved contexts.</summary>
    public Command RunsLocally(Command command, Func<ParseResult, ContextStore, CliOutput, int> action)
    {
        command.SetAction(parse =>
        {
            var output = new CliOutput(Console, parse.GetValue(Json), parse.GetValue(Wide));
            try
            {
                return action(parse, new ContextStore(Console), output);
            }
            catch (UsageException e)
            {
                output.Error($"iotid: {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    /// <summary>The URL as a service address; a usage error unless it is an absolute http(s) URL.</summary>
    public static Uri CheckUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme is "http" or "https"
            ? address : throw new UsageException($"--url must be an http(s) URL, not '{url}'");

    /// <summary>
    /// The service and key to call. They come as a pair from one place — the context <c>--context</c> names, else the
    /// environment (<c>$IOTID_URL</c>, <c>$IOTID_API_KEY</c>) when either is set, else the context in use — and
    /// <c>--url</c>/<c>--key</c> override either half; a context's key never goes to a <c>--url</c> other than its own.
    /// </summary>
    private (Uri Url, string? Key) Target(ParseResult parse)
    {
        (string? Url, string? Key, bool FromContext) source;
        if (parse.GetValue(Context) is { } name)
        {
            var file = new ContextStore(Console).Read();
            var named = file.Contexts.GetValueOrDefault(name) ?? throw new UsageException(
                $"no context {name}; {(file.Contexts.Count == 0 ? "there are none" : $"the contexts are {string.Join(", ", file.Contexts.Keys.Order(StringComparer.Ordinal))}")}");
            source = (named.Url, named.Key, true);
        }
        else if (Console.Environment("IOTID_URL") is not null || Console.Environment("IOTID_API_KEY") is not null)
            source = (Console.Environment("IOTID_URL"), Console.Environment("IOTID_API_KEY"), false);
        else
        {
            var file = new ContextStore(Console).Read();
            var current = file.Current is { } inUse ? file.Contexts.GetValueOrDefault(inUse) : null;
            source = (current?.Url, current?.Key, current is not null);
        }
        var url = parse.GetValue(Url);
        var keyFromSource = url is null || !source.FromContext || url == source.Url ? source.Key : null;
        return (CheckUrl(url ?? source.Url ?? "http://localhost:8080"), parse.GetValue(Key) ?? keyFromSource);
    }

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, IotIdClient, CliOutput, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var output = new CliOutput(Console, parse.GetValue(Json), parse.GetValue(Wide));
        try
        {
            var (baseAddress, key) = Target(parse);
            using var client = new IotIdClient(baseAddress, key, Console.Handler);
            return await action(parse, client, output, cancellationToken);
        }
        catch (UsageException e)
        {
            output.Error($"iotid: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (NotResolvedException e)
        {
            output.Error($"iotid: {e.Message}");
            return ExitCodes.Refused;
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

/// <summary>An id prefix names no device or more than one; nothing was changed.</summary>
internal sealed class NotResolvedException(string message) : Exception(message);
