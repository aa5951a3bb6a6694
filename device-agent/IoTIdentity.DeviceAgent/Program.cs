using System.CommandLine;
using System.Text.Json;
using IoTIdentity.DeviceAgent;
using IoTIdentity.DeviceAgent.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// iotid-agent: the device side of IoTIdentity (see device-agent/README.md).
var configuration = new AgentConfiguration();
var json = new Option<bool>("--json") { Description = "Machine-readable output" };
var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };

var run = new Command("run", "Run as a daemon: enrol at first boot, rotate before expiry, follow signed commands");
run.SetAction((parsed, ct) => AgentCommands.RunAsync(configuration.Build(parsed), ct));

var status = new Command("status", "Show the device id, owner, certificate and renewal time") { json };
status.SetAction(parsed => AgentCommands.Status(configuration.Build(parsed), parsed.GetValue(json)));

var enroll = new Command("enroll", "Enrol now from the EK and a new AK (replaces any current identity once the new one is stored)");
enroll.SetAction((parsed, ct) => AgentCommands.EnrollAsync(configuration.Build(parsed), rotate: false, ct));

var rotate = new Command("rotate", "Rotate now: new TPM key, full attestation, signed by the current key");
rotate.SetAction((parsed, ct) => AgentCommands.EnrollAsync(configuration.Build(parsed), rotate: true, ct));

var reset = new Command("reset", "Forget the local identity (certificate and key blobs)") { yes };
reset.SetAction(parsed => AgentCommands.Reset(configuration.Build(parsed), parsed.GetValue(yes)));

var release = new Argument<string>("release") { Description = "A firmware release directory (manifest.json and its images)" };
var boot = new Command("boot", "Measured boot of a virtual device: extend a firmware release into the (software) TPM and write the event log") { release };
boot.SetAction((parsed, ct) => AgentCommands.BootAsync(configuration.Build(parsed), parsed.GetValue(release)!, ct));

var root = new RootCommand("IoTIdentity device agent") { run, status, enroll, rotate, reset, boot };
foreach (var option in configuration.All) root.Options.Add(option);
return await root.Parse(args).InvokeAsync();

/// <summary>The CLI verbs.</summary>
internal static class AgentCommands
{
    public static async Task<int> RunAsync(IConfigurationRoot configuration, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        using var held = StateLock.Acquire(options.StateDirectory);
        if (held is null) return Busy(options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IdentityAgent>();
        builder.Services.AddSingleton<CommandVerifier>();
        builder.Services.AddHostedService<AgentDaemon>();
        using var host = builder.Build();
        await host.RunAsync(ct).ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> BootAsync(IConfigurationRoot configuration, string releaseDirectory, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        using var logging = Logging(configuration);
        var booted = await new IdentityAgent(options, logging.CreateLogger<IdentityAgent>()).BootAsync(releaseDirectory, ct).ConfigureAwait(false);
        Console.WriteLine($"booted {booted}; event log written to {options.EventLogPath}");
        return 0;
    }

    public static int Status(IConfigurationRoot configuration, bool json)
    {
        var options = AgentConfiguration.Options(configuration);
        using var logging = Logging(configuration);
        var status = new IdentityAgent(options, logging.CreateLogger<IdentityAgent>()).Status();
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(status, AgentJson.Default.AgentStatus));
            return 0;
        }
        if (!status.Enrolled)
        {
            Console.WriteLine(status.Revoked ? "Revoked: the identity was deleted by a revoke command; run 'iotid-agent enroll'." : "Not enrolled.");
            Console.WriteLine($"State directory:  {status.StateDirectory}");
            return 0;
        }
        Console.WriteLine($"Device id:        {status.DeviceId}");
        Console.WriteLine($"Owner:            {status.Owner}");
        Console.WriteLine($"Subject:          {status.Subject}");
        Console.WriteLine($"Serial:           {status.Serial}");
        Console.WriteLine($"Valid:            {status.NotBefore:u} .. {status.NotAfter:u}");
        Console.WriteLine($"Last attestation: {status.LastAttestation:u}");
        Console.WriteLine($"Next renewal:     {status.NextRenewal:u}");
        Console.WriteLine($"Certificate:      {status.CertificatePath}");
        Console.WriteLine($"TPM key:          {status.KeyPath}");
        return 0;
    }

    public static async Task<int> EnrollAsync(IConfigurationRoot configuration, bool rotate, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        using var held = StateLock.Acquire(options.StateDirectory);
        if (held is null) return Busy(options);
        using var logging = Logging(configuration);
        var agent = new IdentityAgent(options, logging.CreateLogger<IdentityAgent>());
        var identity = rotate
            ? await agent.RotateAsync(null, ct).ConfigureAwait(false)
            : await agent.EnrollAsync(null, ct).ConfigureAwait(false);
        Console.WriteLine($"{identity.Metadata.DeviceId} {identity.Metadata.SerialNumber} valid until {identity.Metadata.NotAfter:u}");
        return 0;
    }

    public static int Reset(IConfigurationRoot configuration, bool yes)
    {
        var options = AgentConfiguration.Options(configuration);
        if (!yes)
        {
            Console.Write($"Forget the identity in {options.StateDirectory}? The TPM keys become unusable. Type 'yes': ");
            if (!string.Equals(Console.ReadLine()?.Trim(), "yes", StringComparison.Ordinal))
            {
                Console.WriteLine("Nothing changed.");
                return 1;
            }
        }
        using var held = StateLock.Acquire(options.StateDirectory);
        if (held is null) return Busy(options);
        using var logging = Logging(configuration);
        new IdentityAgent(options, logging.CreateLogger<IdentityAgent>()).Reset();
        Console.WriteLine("The local identity is gone.");
        return 0;
    }

    private static int Busy(AgentOptions options)
    {
        Console.Error.WriteLine($"Another iotid-agent holds {options.StateDirectory}/.lock (is the daemon running? stop it first).");
        return 3;
    }

    private static ILoggerFactory Logging(IConfiguration configuration) => LoggerFactory.Create(logging => ConfigureLogging(logging, configuration));

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null) logging.AddSystemdConsole();
        else logging.AddSimpleConsole(o => o.SingleLine = true);
    }
}
