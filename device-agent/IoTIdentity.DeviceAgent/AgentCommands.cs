using System.Text.Json;
using IoTIdentity.DeviceAgent.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.DeviceAgent;

/// <summary>The CLI verbs.</summary>
internal sealed class AgentCommands(IIdentityProgress progress)
{
    public async Task<int> RunAsync(IConfigurationRoot configuration, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        if (AgentFailure.Check(options) is { } invalid) return Report(invalid);
        using var held = StateLock.Acquire(options.StateDirectory);
        if (held is null) return Busy(options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(progress);
        builder.Services.AddSingleton<IdentityAgent>();
        builder.Services.AddSingleton<CommandVerifier>();
        builder.Services.AddSingleton<AgentDaemon>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AgentDaemon>());
        builder.Services.AddHostedService<LocalTokenEndpoint>();
        using var host = builder.Build();
        await host.RunAsync(ct).ConfigureAwait(false);
        return 0;
    }

    public Task<int> BootAsync(IConfigurationRoot configuration, string releaseDirectory, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        if (string.IsNullOrEmpty(options.EventLogPath))
            return Task.FromResult(Report(new AgentFailure(AgentExitCode.Configuration, "set Agent:EventLogPath (--event-log) to where the boot's event log goes")));
        return GuardAsync(options, ct, async () =>
        {
            using var logging = Logging(configuration);
            var booted = await new IdentityAgent(options, logging.CreateLogger<IdentityAgent>(), progress: progress).BootAsync(releaseDirectory, ct).ConfigureAwait(false);
            Console.WriteLine($"booted {booted}; event log written to {options.EventLogPath}");
            return 0;
        });
    }

    public int Status(IConfigurationRoot configuration, bool json)
    {
        var options = AgentConfiguration.Options(configuration);
        using var logging = Logging(configuration);
        var status = new IdentityAgent(options, logging.CreateLogger<IdentityAgent>(), progress: progress).Status();
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(status, AgentJson.Default.AgentStatus));
            return 0;
        }
        if (status.Refusal is { } refusal)
            Console.WriteLine($"Refused:          the service refused the device ({refusal}) at {status.RefusedAt:u}; the daemon tries again " +
                $"{options.RefusedRetry} later, 'iotid-agent enroll' tries now");
        if (!status.Enrolled)
        {
            Console.WriteLine(status.Revoked
                ? "Revoked: the identity is deleted; once the operator re-admits the device, run 'iotid-agent enroll'."
                : $"Not enrolled. Enrol with 'iotid-agent enroll' (or start the daemon: 'systemctl enable --now iotid-agent'), " +
                  $"with Agent:BrokerHost and Agent:TrustAnchorPath pointing at the service.");
            if (status.Session is { } last) Console.WriteLine($"Session:          {last} ({status.SessionReason})");
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
        Console.WriteLine($"Chain:            {status.ChainPath}");
        Console.WriteLine($"TPM key:          {status.KeyPath}");
        if (status.Session is { } session) Console.WriteLine($"Session:          {session} ({status.SessionReason})");
        return 0;
    }

    public Task<int> EnrollAsync(IConfigurationRoot configuration, bool rotate, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        return GuardAsync(options, ct, async () =>
        {
            using var held = StateLock.Acquire(options.StateDirectory);
            if (held is null) return Busy(options);
            using var logging = Logging(configuration);
            var agent = new IdentityAgent(options, logging.CreateLogger<IdentityAgent>(), progress: progress);
            var identity = rotate
                ? await agent.RotateAsync(null, ct).ConfigureAwait(false)
                : await agent.EnrollAsync(null, ct).ConfigureAwait(false);
            Console.WriteLine($"{identity.Metadata.DeviceId} {identity.Metadata.SerialNumber} valid until {identity.Metadata.NotAfter:u}");
            return 0;
        });
    }

    public Task<int> TokenAsync(IConfigurationRoot configuration, string audience, int? lifetimeSeconds, bool json, CancellationToken ct)
    {
        var options = AgentConfiguration.Options(configuration);
        return GuardAsync(options, ct, async () =>
        {
            var reply = options.TokenSocket is { } socket && File.Exists(socket)
                ? await LocalTokenEndpoint.AskAsync(socket, new LocalTokenRequest { Audience = audience, LifetimeSeconds = lifetimeSeconds }, ct).ConfigureAwait(false)
                : await DirectTokenAsync(configuration, options, audience, lifetimeSeconds, ct).ConfigureAwait(false);
            if (reply.Error is { } error)
            {
                Console.Error.WriteLine($"iotid-agent: no token: {error}");
                return (int)AgentExitCode.Refused;
            }
            Console.WriteLine(json ? JsonSerializer.Serialize(reply, AgentJson.Default.LocalTokenReply) : reply.Token);
            return 0;
        });
    }

    private async Task<LocalTokenReply> DirectTokenAsync(IConfigurationRoot configuration, AgentOptions options, string audience, int? lifetimeSeconds, CancellationToken ct)
    {
        using var logging = Logging(configuration);
        var agent = new IdentityAgent(options, logging.CreateLogger<IdentityAgent>(), progress: progress);
        try
        {
            return LocalTokenReply.From(await agent.RequestTokenAsync(audience, lifetimeSeconds, null, ct).ConfigureAwait(false));
        }
        catch (InvalidOperationException e)
        {
            return new LocalTokenReply { Error = e.Message };
        }
    }

    public int Reset(IConfigurationRoot configuration, bool yes)
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
        new IdentityAgent(options, logging.CreateLogger<IdentityAgent>(), progress: progress).Reset();
        Console.WriteLine("The local identity is gone.");
        return 0;
    }

    private static int Busy(AgentOptions options)
    {
        Console.Error.WriteLine($"Another iotid-agent holds {options.StateDirectory}/.lock (is the daemon running? stop it first).");
        return (int)AgentExitCode.Busy;
    }

    /// <summary>Checks the settings, runs <paramref name="verb"/>, and turns an expected failure into its line and exit code.</summary>
    private static async Task<int> GuardAsync(AgentOptions options, CancellationToken ct, Func<Task<int>> verb)
    {
        if (AgentFailure.Check(options) is { } invalid) return Report(invalid);
        try
        {
            return await verb().ConfigureAwait(false);
        }
        catch (Exception e) when (AgentFailure.Explain(e, options, ct.IsCancellationRequested) is { } failure)
        {
            return Report(failure);
        }
    }

    private static int Report(AgentFailure failure)
    {
        Console.Error.WriteLine($"iotid-agent: {failure.Message}");
        return (int)failure.Code;
    }

    private static ILoggerFactory Logging(IConfiguration configuration) => LoggerFactory.Create(logging => ConfigureLogging(logging, configuration));

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null) logging.AddSystemdConsole();
        else logging.AddSimpleConsole(o => o.SingleLine = true);
    }
}
