using System.CommandLine;
using System.Text;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid report compliance</c>: the tenant's compliance report for a period, saved as HTML, PDF, JSON or CSV.</summary>
internal static class ReportCommands
{
    private static readonly string[] Formats = ["html", "pdf", "json", "csv"];

    public static Command Build(CliContext cli)
    {
        var report = new Command("report", "Reports for auditors: compliance");
        var from = new Option<string>("--from") { Description = "The period's start, inclusive (ISO 8601, e.g. 2026-11-01)", Required = true };
        var to = new Option<string>("--to") { Description = "The period's end, exclusive (ISO 8601); at most 366 days after --from", Required = true };
        var format = new Option<string>("--format", "-f") { Description = "html (prints cleanly), pdf, json or csv", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong(Formats);
        var file = new Option<string?>("--out", "-o") { Description = "Write the report to this file (required for pdf; default: standard output)" };
        var force = new Option<bool>("--force") { Description = "Replace --out if it exists" };
        report.Add(cli.Runs(new Command("compliance",
            "One tenant's compliance report for a period: inventory, certificates, attestation policy and its changes, firmware, findings and actions, audit chain, API keys")
            { from, to, format, file, force }, async (parse, client, output, ct) =>
        {
            var path = parse.GetValue(file);
            var kind = parse.GetValue(format)!;
            if (path is null && kind == "pdf") throw new UsageException("a PDF is not written to a terminal: pass --out FILE");
            if (path is not null) CliFiles.CheckWritable(path, parse.GetValue(force));
            var answer = await client.GetComplianceReportAsync(parse.GetValue(from)!, parse.GetValue(to)!, kind, ct);
            if (path is null)
            {
                output.Line(Encoding.UTF8.GetString(answer.Content));
                return ExitCodes.Ok;
            }
            await CliFiles.WriteAsync(path, parse.GetValue(force), stream => stream.WriteAsync(answer.Content, ct).AsTask());
            output.Note($"wrote {path} ({answer.Content.Length} bytes; report digest {answer.Digest})");
            return ExitCodes.Ok;
        }));
        return report;
    }
}
