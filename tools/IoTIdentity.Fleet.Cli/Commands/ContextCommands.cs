using System.CommandLine;
using IoTIdentity.Fleet.Cli.Contexts;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// <c>iotid context add|use|list|remove</c>: named pairs of service URL and API key, like <c>step context</c> or
/// <c>az account</c>, so a fleet manager with several tenants or services switches with one command. Kept in
/// <see cref="ContextStore"/>; keys are never printed (list shows the key's id).
/// </summary>
internal static class ContextCommands
{
    public static Command Build(CliContext cli)
    {
        var context = new Command("context", "Named contexts (service URL and API key): add, use, list, remove");

        var addName = NameArgument();
        var use = new Option<bool>("--use") { Description = "Also make it the context in use" };
        context.Add(cli.RunsLocally(new Command("add", "Save --url and --key under a name (replaces a context of that name)") { addName, use }, (parse, store, output) =>
        {
            var name = parse.GetValue(addName)!;
            var url = parse.GetValue(cli.Url) ?? throw new UsageException("context add needs --url");
            CliContext.CheckUrl(url);
            var key = parse.GetValue(cli.Key);
            var file = store.Read();
            file.Contexts[name] = new NamedContext(url, key);
            var current = parse.GetValue(use) || file.Current is null ? name : file.Current;
            store.Write(file with { Current = current });
            output.Line($"context {name} saved ({url}{(key is null ? ", no key" : $", key {KeyId(key)}")}){(current == name ? ", in use" : "")}");
            return ExitCodes.Ok;
        }));

        var useName = NameArgument();
        context.Add(cli.RunsLocally(new Command("use", "Use this context when a command names none") { useName }, (parse, store, output) =>
        {
            var name = parse.GetValue(useName)!;
            var file = store.Read();
            if (!file.Contexts.ContainsKey(name)) throw new UsageException($"no context {name}; {Known(file)}");
            store.Write(file with { Current = name });
            output.Line($"using context {name} ({file.Contexts[name].Url})");
            return ExitCodes.Ok;
        }));

        context.Add(cli.RunsLocally(new Command("list", "List the contexts (the one in use is marked *)"), (_, store, output) =>
        {
            var file = store.Read();
            output.Table(["", "NAME", "URL", "KEY"], file.Contexts.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => (IReadOnlyList<string?>)[c.Key == file.Current ? "*" : "", c.Key, c.Value.Url, c.Value.Key is null ? "-" : KeyId(c.Value.Key)]));
            return ExitCodes.Ok;
        }));

        var removeName = NameArgument();
        context.Add(cli.RunsLocally(new Command("remove", "Forget a context (and its key)") { removeName }, (parse, store, output) =>
        {
            var name = parse.GetValue(removeName)!;
            var file = store.Read();
            if (!file.Contexts.Remove(name)) throw new UsageException($"no context {name}; {Known(file)}");
            store.Write(file with { Current = file.Current == name ? null : file.Current });
            output.Line($"context {name} removed{(file.Current == name ? "; no context is in use now" : "")}");
            return ExitCodes.Ok;
        }));
        return context;
    }

    private static Argument<string> NameArgument()
    {
        var name = new Argument<string>("name") { Description = "The context's name (letters, digits, . _ -)" };
        name.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (string.IsNullOrEmpty(value) || value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                r.AddError($"a context name is 1-64 letters, digits, '.', '_' or '-', not '{value}'");
        });
        return name;
    }

    private static string Known(ContextFile file) =>
        file.Contexts.Count == 0 ? "there are none (iotid context add NAME --url URL --key KEY)" : $"the contexts are {string.Join(", ", file.Contexts.Keys.Order(StringComparer.Ordinal))}";

    /// <summary>What a key may show of itself: its tenant and key id (<c>iotid.acme.1a2b3c…</c>), or the service admin key's prefix.</summary>
    private static string KeyId(string key)
    {
        var parts = key.Split('.');
        return parts is ["iotid", var tenant, var id, _] ? $"iotid.{tenant}.{id}.…" : key.StartsWith("iotid-admin.", StringComparison.Ordinal) ? "iotid-admin.…" : "(not an iotid key)";
    }
}
