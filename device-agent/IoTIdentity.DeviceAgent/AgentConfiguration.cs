using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace IoTIdentity.DeviceAgent;

/// <summary>The global flags and how they layer over the files and the environment.</summary>
internal sealed class AgentConfiguration
{
    public Option<string?> ConfigFile { get; } = new("--config") { Description = "An extra appsettings JSON file", Recursive = true };
    public Option<string?> Tpm { get; } = new("--tpm") { Description = "TPM endpoint: device:///dev/tpmrm0, swtpm://host:port, mssim://host:port", Recursive = true };
    public Option<string?> Ek { get; } = new("--ek") { Description = "The EK to present: rsa or ecc", Recursive = true };
    public Option<string?> BrokerHost { get; } = new("--broker-host") { Description = "The service's MQTT host", Recursive = true };
    public Option<int?> BrokerPort { get; } = new("--broker-port") { Description = "The service's MQTT port", Recursive = true };
    public Option<string?> TrustAnchor { get; } = new("--trust-anchor") { Description = "PEM file the broker's certificate chain must end in", Recursive = true };
    public Option<string?> StateDirectory { get; } = new("--state-dir") { Description = "The state directory", Recursive = true };
    public Option<string?> EventLog { get; } = new("--event-log") { Description = "The firmware event log file", Recursive = true };
    public Option<string?> EkIntermediates { get; } = new("--ek-intermediates") { Description = "PEM file of the EK certificate's intermediate CAs (default: the TPM's NV chain)", Recursive = true };
    public Option<string?> Scope { get; } = new("--scope") { Description = "The enrolment scope of the device's owner: its tenant id, or {tenant}/{group} (GET /api/v1/tenant)", Recursive = true };
    public Option<string?> ClaimCode { get; } = new("--claim-code") { Description = "The claim code printed on the device, for the tenant that registered it (Agent:ClaimCode)", Recursive = true };
    public Option<string?> Exec { get; } = new("--exec") { Description = "Shell command run after each new certificate (e.g. 'systemctl reload mosquitto')", Recursive = true };

    public Option<string?> TokenSocket { get; } = new("--token-socket") { Description = "Unix socket where the daemon serves tokens to local applications", Recursive = true };
    public IEnumerable<Option> All => [ConfigFile, Tpm, Ek, BrokerHost, BrokerPort, TrustAnchor, StateDirectory, EventLog, EkIntermediates, Scope, ClaimCode, Exec, TokenSocket];

    /// <summary>appsettings.json beside the binary, /etc/iotid-agent/appsettings.json, --config, IOTID_* variables, flags.</summary>
    public IConfigurationRoot Build(ParseResult parsed)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile("/etc/iotid-agent/appsettings.json", optional: true);
        if (parsed.GetValue(ConfigFile) is { } file) builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        builder.AddEnvironmentVariables("IOTID_");
        var flags = new Dictionary<string, string?>();
        void Flag(string key, string? value)
        {
            if (value is not null) flags[$"{AgentOptions.Section}:{key}"] = value;
        }
        Flag(nameof(AgentOptions.Tpm), parsed.GetValue(Tpm));
        Flag(nameof(AgentOptions.Ek), parsed.GetValue(Ek));
        Flag(nameof(AgentOptions.BrokerHost), parsed.GetValue(BrokerHost));
        Flag(nameof(AgentOptions.BrokerPort), parsed.GetValue(BrokerPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Flag(nameof(AgentOptions.TrustAnchorPath), parsed.GetValue(TrustAnchor));
        Flag(nameof(AgentOptions.StateDirectory), parsed.GetValue(StateDirectory));
        Flag(nameof(AgentOptions.EventLogPath), parsed.GetValue(EventLog));
        Flag(nameof(AgentOptions.EkIntermediatesPath), parsed.GetValue(EkIntermediates));
        Flag(nameof(AgentOptions.EnrollmentScope), parsed.GetValue(Scope));
        Flag(nameof(AgentOptions.ClaimCode), parsed.GetValue(ClaimCode));
        Flag(nameof(AgentOptions.OnRenewed), parsed.GetValue(Exec));
        Flag(nameof(AgentOptions.TokenSocket), parsed.GetValue(TokenSocket));
        return builder.AddInMemoryCollection(flags).Build();
    }

    public static AgentOptions Options(IConfiguration configuration)
    {
        var options = new AgentOptions();
        configuration.GetSection(AgentOptions.Section).Bind(options);
        return options;
    }
}
