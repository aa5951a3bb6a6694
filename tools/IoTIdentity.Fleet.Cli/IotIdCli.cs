using System.CommandLine;
using IoTIdentity.Fleet.Cli.Commands;

namespace IoTIdentity.Fleet.Cli;

/// <summary>The <c>iotid</c> command tree, runnable in-process (the program, and tests with captured output).</summary>
public static class IotIdCli
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns an <see cref="ExitCodes"/> value.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="console">Where output goes and what the environment holds.</param>
    /// <param name="cancellationToken">Stops a running command (e.g. <c>transfers watch</c>).</param>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var root = Build(new CliContext(console));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await console.Error.WriteLineAsync($"iotid: {error.Message}");
            await console.Error.WriteLineAsync("Run 'iotid --help' (or the command with --help) for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }

    /// <summary>The whole command tree, every command bound to <paramref name="cli"/>.</summary>
    internal static RootCommand Build(CliContext cli) =>
        new RootCommand("iotid: manage an IoTIdentity fleet (tenants, API keys, enrolments, devices, certificates, transfers, ownership, audit)")
        {
            cli.Url, cli.Key, cli.Context, cli.Json, cli.Wide,
            ContextCommands.Build(cli),
            TenantCommands.Admin(cli),
            TenantCommands.Self(cli),
            ApiKeyCommands.Build(cli),
            EnrollmentCommands.Groups(cli),
            EnrollmentCommands.Individual(cli),
            DeviceCommands.Build(cli),
            CertificateCommands.Build(cli),
            TransferCommands.Build(cli),
            OwnershipCommands.Build(cli),
            VoucherCommands.Build(cli),
            AuditCommands.Build(cli),
            FindingCommands.Build(cli),
            ReportCommands.Build(cli),
            MonitoringCommands.Monitoring(cli),
            MonitoringCommands.Webhooks(cli),
            TokenCommands.Policy(cli),
            TokenCommands.Keys(cli),
            TokenCommands.Federation(cli),
        };
}
