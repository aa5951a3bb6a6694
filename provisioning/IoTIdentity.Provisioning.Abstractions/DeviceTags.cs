using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// The one rule for the labels an owner puts on its devices: at most <see cref="MaxCount"/> tags, each
/// 1–<see cref="MaxLength"/> characters of ASCII letters, digits and <c>. _ - : = /</c> (so <c>site:berlin</c> and
/// <c>floor=2</c> both work), kept sorted (ordinal) without duplicates.
/// </summary>
public static class DeviceTags
{
    /// <summary>The most tags one device carries.</summary>
    public const int MaxCount = 32;

    /// <summary>The longest tag.</summary>
    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="tag"/> is one tag as the rule allows it.</summary>
    public static bool IsValid(string? tag) =>
        !string.IsNullOrEmpty(tag) && tag.Length <= MaxLength && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '=' or '/');

    /// <summary>The tags sorted and without duplicates, or what is wrong with them (naming the first bad tag).</summary>
    public static string? TryNormalize(IEnumerable<string?>? tags, out ImmutableList<string> normalized)
    {
        normalized = [];
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags ?? [])
        {
            if (!IsValid(tag))
                return $"tag '{tag}' is not 1-{MaxLength} characters of letters, digits and . _ - : = /";
            set.Add(tag!);
        }
        if (set.Count > MaxCount) return $"at most {MaxCount} tags per device, not {set.Count}";
        normalized = [.. set];
        return null;
    }
}
