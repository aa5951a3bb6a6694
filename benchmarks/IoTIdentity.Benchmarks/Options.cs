using System.Globalization;

namespace IoTIdentity.Benchmarks;

/// <summary>The command line: <c>[--duration seconds] [--runs n] [--filter text[,text…]] [--list]</c>.</summary>
internal sealed record Options(TimeSpan Duration, int Runs, IReadOnlyList<string> Filters, bool List)
{
    public const string Usage = """
        IoTIdentity.Benchmarks — verifier throughput beside the cost of its primitives.

          --duration <s>    measured time per case, split over the runs (default 2)
          --runs <n>        timed runs per case; the median is reported (default 5)
          --filter <text>   only cases whose "group/name" contains one of the comma-separated texts;
                            the "breakdown" group (pieces of the verifier steps) runs only when named
          --list            list the cases and exit
        """;

    /// <summary>Parses the arguments; null (after printing why) when they make no sense.</summary>
    public static Options? Parse(string[] args)
    {
        var options = new Options(TimeSpan.FromSeconds(2), 5, [], false);
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--duration" when double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    options = options with { Duration = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--runs" when int.TryParse(Next(), out var runs) && runs is > 0 and <= 50:
                    options = options with { Runs = runs };
                    break;
                case "--filter" when Next() is { Length: > 0 } filter:
                    options = options with { Filters = [.. options.Filters, .. filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] };
                    break;
                case "--list":
                    options = options with { List = true };
                    break;
                default:
                    Console.Error.WriteLine($"unexpected or incomplete argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return null;
            }
        }
        return options;
    }

    /// <summary>Every verifier and primitive case without a filter; the breakdown and state cases only when a filter names them.</summary>
    public bool Selects(BenchCase benchCase) => Filters.Count == 0
        ? benchCase.Group is not (Workload.Breakdown or Workload.State)
        : Filters.Any(f => benchCase.Title.Contains(f, StringComparison.OrdinalIgnoreCase));
}
