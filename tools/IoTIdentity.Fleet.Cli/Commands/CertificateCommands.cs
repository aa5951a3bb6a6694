using System.CommandLine;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid certificates get|revoke</c>: one certificate the tenant issued.</summary>
internal static class CertificateCommands
{
    public static Command Build(CliContext cli)
    {
        var certificates = new Command("certificates", "One certificate the tenant issued: show it, or revoke it (the device stays and may re-enrol)");

        var serial = new Argument<string>("serialNumber") { Description = "The certificate's serial number (hex)" };
        certificates.Add(cli.Runs(new Command("get", "Show a certificate and whether it is revoked") { serial }, async (parse, client, output, ct) =>
        {
            var certificate = await client.GetCertificateAsync(parse.GetValue(serial)!, ct);
            if (output.IsJson) output.Raw(certificate.Json);
            else
            {
                var c = certificate.Value;
                output.Fields(("serial", c.SerialNumber), ("device", c.DeviceId), ("not before", CliOutput.Time(c.NotBefore)),
                    ("not after", CliOutput.Time(c.NotAfter)), ("revoked", c.Revoked ? $"yes ({c.Reason ?? "unspecified"})" : "no"));
            }
            return ExitCodes.Ok;
        }));

        var revokeSerial = new Argument<string>("serialNumber") { Description = "The certificate's serial number (hex)" };
        var reason = Revocation.ReasonOption();
        certificates.Add(cli.Runs(new Command("revoke", "Put one certificate on the tenant's CRL") { revokeSerial, reason }, async (parse, client, output, ct) =>
        {
            return output.Done(await client.RevokeCertificateAsync(parse.GetValue(revokeSerial)!, parse.GetValue(reason), ct), $"certificate {parse.GetValue(revokeSerial)} revoked ({parse.GetValue(reason) ?? "unspecified"})");
        }));
        return certificates;
    }
}
