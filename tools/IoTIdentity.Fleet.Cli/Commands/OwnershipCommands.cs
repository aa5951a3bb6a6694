using System.CommandLine;
using System.Text;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid ownership export|verify</c>: a device's signed ownership record (docs/ownership.md).</summary>
internal static class OwnershipCommands
{
    public static Command Build(CliContext cli)
    {
        var ownership = new Command("ownership", "A device's ownership record: export it (current owner), verify a document offline");

        var id = DeviceCommands.DeviceArgument();
        var output = new Option<string?>("--out", "-o") { Description = "Write the document to this file (default: standard output)" };
        var force = new Option<bool>("--force") { Description = "Replace --out if it exists" };
        ownership.Add(cli.Runs(new Command("export", "Fetch the device's ownership document, exactly as the service signed and sent it") { id, output, force },
            async (parse, client, console, ct) =>
            {
                var path = parse.GetValue(output);
                if (path is not null) CliFiles.CheckWritable(path, parse.GetValue(force));
                var document = await client.GetOwnershipDocumentAsync(await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(id)!, ct), ct);
                if (path is null)
                {
                    console.Raw(document.Json);
                    return ExitCodes.Ok;
                }
                await CliFiles.WriteAsync(path, parse.GetValue(force), stream => stream.WriteAsync(Encoding.UTF8.GetBytes(document.Json), ct).AsTask());
                console.Note($"wrote {path}: {document.Value.Entries.Count} entries, owners {string.Join(" -> ", document.Value.OwnersInOrder())}");
                return ExitCodes.Ok;
            }));

        ownership.Add(OwnershipVerifyCommand.Build(cli));
        return ownership;
    }
}
