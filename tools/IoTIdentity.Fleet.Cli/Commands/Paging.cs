using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// The paging options every list takes (<c>--page-size</c>, <c>--continuation-token</c>, <c>--all</c>) and the one way a
/// list is fetched and shown: one page with a hint where the next one is, or with <c>--all</c> every page followed to
/// the end and shown as one (with <c>--json</c>: one <c>{"items":[…],"continuationToken":null}</c>).
/// </summary>
internal sealed class Paging
{
    public Option<int?> PageSize { get; } = new("--page-size") { Description = "Items per page (the service caps it)" };

    public Option<string?> ContinuationToken { get; } = new("--continuation-token") { Description = "Start at this page (from a previous answer)" };

    public Option<bool> All { get; } = new("--all") { Description = "Follow continuation tokens and show every page" };

    public Paging()
    {
        PageSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--page-size must be at least 1");
        });
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        command.Add(PageSize);
        command.Add(ContinuationToken);
        command.Add(All);
        return command;
    }

    /// <summary>Fetches (one page or all) with <paramref name="fetch"/>(pageSize, token) and prints it.</summary>
    public async Task<int> ShowAsync<T>(ParseResult parse, CliOutput output, Func<int?, string?, Task<ApiResult<Page<T>>>> fetch,
        IReadOnlyList<string> headers, Func<T, IReadOnlyList<string?>> row, string noun, CancellationToken cancellationToken)
    {
        var pageSize = parse.GetValue(PageSize);
        if (!parse.GetValue(All))
        {
            var page = await fetch(pageSize, parse.GetValue(ContinuationToken));
            if (output.IsJson) output.Raw(page.Json);
            else output.Table(headers, page.Value.Items.Select(row));
            if (!output.IsJson && page.Value.ContinuationToken is { } next)
                output.Note($"more {noun}: --continuation-token {next} (or --all)");
            return ExitCodes.Ok;
        }
        if (parse.GetValue(ContinuationToken) is not null) throw new UsageException("--all starts at the first page; leave out --continuation-token");
        var pages = new List<ApiResult<Page<T>>>();
        await foreach (var page in IotIdClient.AllPagesAsync(token => fetch(pageSize, token), cancellationToken)) pages.Add(page);
        if (output.IsJson)
        {
            output.Raw(CliOutput.MergePages(pages.Select(p => p.Json)));
            return ExitCodes.Ok;
        }
        var items = pages.SelectMany(p => p.Value.Items).ToList();
        output.Table(headers, items.Select(row));
        output.Note($"{items.Count} {noun} ({pages.Count} page{(pages.Count == 1 ? "" : "s")})");
        return ExitCodes.Ok;
    }
}
