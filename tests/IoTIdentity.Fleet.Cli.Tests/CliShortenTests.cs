using IoTIdentity.Fleet.Cli.Commands;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>The prefixes a table shows: for any set of ids, each is a prefix of its id that no other id in the set starts with.</summary>
public sealed class CliShortenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_shown_prefix_is_unique_among_the_ids_and_at_least_twelve_digits(int seed)
    {
        var random = new Random(seed);
        // ids crowded into few leading digits, so many share long prefixes
        var ids = Enumerable.Range(0, 300).Select(_ => "abc" + string.Concat(Enumerable.Range(0, 61).Select(i => "0123456789abcdef"[random.Next(i < 12 ? 2 : 16)]))).ToList();

        var shortened = DeviceIdPrefixes.Shorten(ids);

        foreach (var id in ids.Distinct())
        {
            var prefix = shortened[id];
            Assert.StartsWith(prefix, id);
            Assert.True(prefix.Length >= DeviceIdPrefixes.MinimumLength);
            Assert.Single(ids.Distinct(), other => other.StartsWith(prefix, StringComparison.Ordinal));
        }
    }
}
