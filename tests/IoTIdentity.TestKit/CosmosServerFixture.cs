using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.Simulator.Swtpm;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// A real Cosmos DB protocol server for the tests: <c>@vercel/cosmosdb-server</c> (pinned in
/// <c>tests/cosmosdb-server/package-lock.json</c>), installed on first use into <c>artifacts/npm</c> with
/// <c>npm ci</c> (scripts/install-deps.sh does the same ahead of time), started with node on a free loopback port
/// over HTTPS with its bundled self-signed certificate, and stopped at the end. Without node and npm the fixture
/// fails and says how to install them.
/// </summary>
public sealed partial class CosmosServerFixture : IAsyncLifetime
{
    private const string InstallHint =
        "The Cosmos tests need Node.js ≥ 20 and npm: run scripts/install-deps.sh (or `apt-get install nodejs npm`).";

    private readonly StringBuilder _output = new();
    private Process? _server;

    /// <summary>The server's endpoint, e.g. https://127.0.0.1:40123/.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The key the server expects: any; the Cosmos emulator's well-known key is used by convention.</summary>
    public const string Key =
        "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>
    /// A store (or membership table) on <paramref name="database"/> of this server: its endpoint and key, its
    /// self-signed certificate accepted, and query plans answered locally (the server has no query-plan endpoint).
    /// </summary>
    public CosmosStoreOptions StoreOptions(string database) => new()
    {
        Endpoint = Endpoint,
        Key = Key,
        Database = database,
        AcceptAnyServerCertificate = true,
        AnswerQueryPlansLocally = true,
    };

    /// <summary>The service's settings that put its grain state and records on <paramref name="database"/> of this server.</summary>
    public Dictionary<string, string?> ServiceSettings(string database) => new()
    {
        ["Storage:Provider"] = "cosmos",
        ["Storage:Cosmos:Endpoint"] = Endpoint.ToString(),
        ["Storage:Cosmos:Key"] = Key,
        ["Storage:Cosmos:Database"] = database,
        ["Storage:Cosmos:AcceptAnyServerCertificate"] = "true",
        ["Storage:Cosmos:AnswerQueryPlansLocally"] = "true",
    };

    public async Task InitializeAsync()
    {
        var root = IoTIdentity.TestKit.RepositoryRoot.Find();
        var cli = Path.Combine(root, "artifacts", "npm", "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js");
        var pinned = Path.Combine(root, "tests", "cosmosdb-server", "package-lock.json");
        var installed = Path.Combine(root, "artifacts", "npm", "package-lock.json");
        if (!File.Exists(cli) || !File.Exists(installed)
            || !File.ReadAllBytes(pinned).AsSpan().SequenceEqual(File.ReadAllBytes(installed)))
        {
            await InstallAsync(root);
        }

        var node = ProcessRunner.FindOnPath("node") ?? throw new InvalidOperationException(InstallHint);
        var start = new ProcessStartInfo(node)
        {
            ArgumentList = { cli, "--host", "127.0.0.1", "-p", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _server = new Process { StartInfo = start, EnableRaisingEvents = true };
        _server.OutputDataReceived += (_, e) => OnOutput(e.Data, ready);
        _server.ErrorDataReceived += (_, e) => OnOutput(e.Data, ready);
        _server.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"cosmosdb-server exited before it was ready:\n{Output()}"));
        _server.Start();
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Endpoint = new Uri($"https://127.0.0.1:{port}/");
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        return Task.CompletedTask;
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
            ready.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
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
    private static async Task InstallAsync(string root)
    {
        var npm = ProcessRunner.FindOnPath("npm") ?? throw new InvalidOperationException(InstallHint);
        var prefix = Path.Combine(root, "artifacts", "npm");
        Directory.CreateDirectory(prefix);
        foreach (var file in new[] { "package.json", "package-lock.json" })
        {
            File.Copy(Path.Combine(root, "tests", "cosmosdb-server", file), Path.Combine(prefix, file), overwrite: true);
        }

        var install = new ProcessStartInfo(npm)
        {
            ArgumentList = { "ci", "--no-audit", "--no-fund", "--prefix", prefix },
            WorkingDirectory = prefix,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(install)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`npm ci` of @vercel/cosmosdb-server into {prefix} failed ({process.ExitCode}):\n" +
                $"{await stdout}\n{await stderr}\n{InstallHint}");
        }
    }

    [GeneratedRegex(@"Ready to accept HTTPS? connections at .*:(\d+)\s*$")]
    private static partial Regex ReadyLine();
}
