using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>
/// A real Cosmos DB protocol server for tests and measurements: <c>@vercel/cosmosdb-server</c> (pinned in
/// <c>tests/cosmosdb-server/package-lock.json</c> of the source tree), installed on first use into
/// <c>artifacts/npm</c> with <c>npm ci</c> (scripts/install-deps.sh does the same ahead of time), started with node on
/// a free loopback port over HTTPS with its bundled self-signed certificate, and stopped when disposed. It keeps every
/// item in the node process's memory and answers queries by scanning a container (no index). Without node and npm it
/// fails and says how to install them.
/// </summary>
public sealed partial class CosmosDbTestServer : IAsyncDisposable
{
    /// <summary>What to do when node or npm is missing.</summary>
    public const string InstallHint =
        "The Cosmos DB test server needs Node.js ≥ 20 and npm: run scripts/install-deps.sh (or `apt-get install nodejs npm`).";

    /// <summary>The key the server expects: any; the Cosmos emulator's well-known key is used by convention.</summary>
    public const string Key =
        "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly StringBuilder _output = new();
    private readonly Process _server;

    private CosmosDbTestServer(Process server) => _server = server;

    /// <summary>The server's endpoint, e.g. https://127.0.0.1:40123/.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The node process serving it.</summary>
    public int ProcessId => _server.Id;

    /// <summary>
    /// The service's settings that put its grain state and records on <paramref name="database"/> of this server: the
    /// <c>Storage:Cosmos:*</c> keys the host binds to its store's options, the self-signed certificate accepted and query
    /// plans answered locally (the server has no query-plan endpoint).
    /// </summary>
    public Dictionary<string, string?> ServiceSettings(string database) => new()
    {
        ["Storage:Provider"] = "cosmos",
        ["Storage:Cosmos:Endpoint"] = Endpoint.ToString(),
        ["Storage:Cosmos:Key"] = Key,
        ["Storage:Cosmos:Database"] = database,
        ["Storage:Cosmos:AcceptAnyServerCertificate"] = "true",
        ["Storage:Cosmos:AnswerQueryPlansLocally"] = "true",
    };

    /// <summary>The node process's resident memory in bytes (<c>VmRSS</c>), or null where /proc does not tell.</summary>
    public long? ResidentBytes()
    {
        var status = $"/proc/{_server.Id}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Installs the pinned server if needed, starts it and waits until it accepts connections.</summary>
    /// <param name="sourceTree">The directory holding <c>IoTIdentity.sln</c>.</param>
    /// <param name="cancellationToken">Stops the install and the start.</param>
    public static async Task<CosmosDbTestServer> StartAsync(string sourceTree, CancellationToken cancellationToken = default)
    {
        var cli = Path.Combine(sourceTree, "artifacts", "npm", "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js");
        var pinned = Path.Combine(sourceTree, "tests", "cosmosdb-server", "package-lock.json");
        var installed = Path.Combine(sourceTree, "artifacts", "npm", "package-lock.json");
        if (!File.Exists(cli) || !File.Exists(installed)
            || !File.ReadAllBytes(pinned).AsSpan().SequenceEqual(File.ReadAllBytes(installed)))
        {
            await InstallAsync(sourceTree, cancellationToken).ConfigureAwait(false);
        }

        var node = ProcessRunner.FindOnPath("node") ?? throw new InvalidOperationException(InstallHint);
        var start = new ProcessStartInfo(node)
        {
            ArgumentList = { cli, "--host", "127.0.0.1", "-p", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var server = new CosmosDbTestServer(new Process { StartInfo = start, EnableRaisingEvents = true });
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._server.OutputDataReceived += (_, e) => server.OnOutput(e.Data, ready);
        server._server.ErrorDataReceived += (_, e) => server.OnOutput(e.Data, ready);
        server._server.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"cosmosdb-server exited before it was ready:\n{server.Output()}"));
        server._server.Start();
        server._server.BeginOutputReadLine();
        server._server.BeginErrorReadLine();
        try
        {
            var port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            server.Endpoint = new Uri($"https://127.0.0.1:{port}/");
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server (its data goes with it).</summary>
    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                _server.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        _server.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnOutput(string? line, TaskCompletionSource<int> ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ReadyLine().Match(line) is { Success: true } match)
        {
            ready.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>Installs the pinned server with <c>npm ci</c> from the committed lock file.</summary>
    private static async Task InstallAsync(string sourceTree, CancellationToken cancellationToken)
    {
        var npm = ProcessRunner.FindOnPath("npm") ?? throw new InvalidOperationException(InstallHint);
        var prefix = Path.Combine(sourceTree, "artifacts", "npm");
        Directory.CreateDirectory(prefix);
        foreach (var file in new[] { "package.json", "package-lock.json" })
        {
            File.Copy(Path.Combine(sourceTree, "tests", "cosmosdb-server", file), Path.Combine(prefix, file), overwrite: true);
        }

        var install = await ProcessRunner.RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--prefix", prefix], TimeSpan.FromMinutes(5),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`npm ci` of @vercel/cosmosdb-server into {prefix} failed ({install.ExitCode}):\n" +
                $"{install.StandardOutput}\n{install.StandardError}\n{InstallHint}");
        }
    }

    [GeneratedRegex(@"Ready to accept HTTPS? connections at .*:(\d+)\s*$")]
    private static partial Regex ReadyLine();
}
