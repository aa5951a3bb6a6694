using System.Globalization;
using System.Text;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>Partition keys and item ids (docs/storage.md, "Cosmos DB backend").</summary>
internal static class CosmosIds
{
    /// <summary>Separates the two halves of a composite partition key (U+001F UNIT SEPARATOR).</summary>
    private const char Separator = '\u001f';

    /// <summary>The one item id in a state partition.</summary>
    public const string StateId = "state";

    /// <summary>The one item id in a claim partition.</summary>
    public const string ClaimId = "claim";

    public static string Composite(string first, string second) => first + Separator + second;

    /// <summary>An audit entry's id: its sequence as 20 zero-padded decimal digits, so ids sort like sequences.</summary>
    public static string AuditId(long sequence) => sequence.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>
    /// A device id as a Cosmos item id. <c>/ \ ? #</c> are not allowed in ids, and the SDK puts ids into request
    /// paths unescaped, so a <c>%</c> would be decoded by the server; those five and the escape character <c>~</c>
    /// become <c>~XX</c> (upper-case hex of the character); everything else is kept. The mapping is injective, and
    /// an escaped id of at most 256 characters stays within Cosmos' 1,023-byte id limit.
    /// </summary>
    public static string DeviceItemId(string deviceId)
    {
        if (deviceId.AsSpan().IndexOfAny("/\\?#%~") < 0)
        {
            return deviceId;
        }

        var builder = new StringBuilder(deviceId.Length + 8);
        foreach (var c in deviceId)
        {
            if (c is '/' or '\\' or '?' or '#' or '%' or '~')
            {
                builder.Append('~').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
