using System.CommandLine;

namespace IoTIdentity.DeviceAgent;

/// <summary>The <c>iotid-agent</c> command line (see device-agent/README.md).</summary>
public static class AgentCli
{
    /// <summary>Parses <paramref name="args"/> and runs the verb, telling <paramref name="progress"/> how enrolments and rotations advance.</summary>
    public static Task<int> InvokeAsync(string[] args, IIdentityProgress progress)
    {
        // before anything draws random bytes: OpenSSL's random generators stay software once the tpm2 provider is in
        if (OperatingSystem.IsLinux()) Session.OpenSslTpm2.KeepRandomInSoftware();
        var commands = new AgentCommands(progress);
        var configuration = new AgentConfiguration();
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };

        var run = new Command("run", "Run as a daemon: enrol at first boot, rotate before expiry, follow signed commands");
        run.SetAction((parsed, ct) => commands.RunAsync(configuration.Build(parsed), ct));

        var status = new Command("status", "Show the device id, owner, certificate and renewal time") { json };
        status.SetAction(parsed => commands.Status(configuration.Build(parsed), parsed.GetValue(json)));

        var enroll = new Command("enroll", "Enrol now from the EK and a new AK (replaces any current identity once the new one is stored)");
        enroll.SetAction((parsed, ct) => commands.EnrollAsync(configuration.Build(parsed), rotate: false, ct));

        var rotate = new Command("rotate", "Rotate now: new TPM key, full attestation, signed by the current key");
        rotate.SetAction((parsed, ct) => commands.EnrollAsync(configuration.Build(parsed), rotate: true, ct));

        var reset = new Command("reset", "Forget the local identity (certificate and key blobs)") { yes };
        reset.SetAction(parsed => commands.Reset(configuration.Build(parsed), parsed.GetValue(yes)));

        var release = new Argument<string>("release") { Description = "A firmware release directory (manifest.json and its images)" };
        var boot = new Command("boot", "Measured boot of a virtual device: extend a firmware release into the (software) TPM and write the event log") { release };
        boot.SetAction((parsed, ct) => commands.BootAsync(configuration.Build(parsed), parsed.GetValue(release)!, ct));

        var audience = new Option<string>("--audience") { Description = "The relying party the token is for", Required = true };
        var lifetime = new Option<int?>("--lifetime") { Description = "Seconds the token lives, if shorter than the group's default" };
        var token = new Command("token", "Print a short-lived JWT for an audience (through the daemon's token socket when it runs)") { audience, lifetime, json };
        token.SetAction((parsed, ct) => commands.TokenAsync(configuration.Build(parsed), parsed.GetValue(audience)!, parsed.GetValue(lifetime), parsed.GetValue(json), ct));

        var root = new RootCommand("IoTIdentity device agent") { run, status, enroll, rotate, reset, boot, token };
        foreach (var option in configuration.All) root.Options.Add(option);
        return root.Parse(args).InvokeAsync();
    }
}
