using System.Buffers.Text;
using System.Text;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Key-ordered paging for lists a grain holds in memory: the token is the last key of the previous page.</summary>
public static class Paging
{
    /// <summary>The largest page size accepted.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Whether <paramref name="pageSize"/> is 1–<see cref="MaxPageSize"/>.</summary>
    public static bool IsValidPageSize(int pageSize) => pageSize is >= 1 and <= MaxPageSize;

    /// <summary>The key after which the page starts (null: the start), or false when the token is not one this API wrote.</summary>
    public static bool TryReadToken(string? token, out string? after)
    {
        after = null;
        if (string.IsNullOrEmpty(token)) return true;
        try
        {
            after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The page of <paramref name="items"/> (already in key order after the token's key), with a token when more may follow.</summary>
    public static Page<T> Of<T>(IReadOnlyList<T> items, int pageSize, Func<T, string> key) => new(items,
        items.Count < pageSize ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key(items[^1]))));
}
