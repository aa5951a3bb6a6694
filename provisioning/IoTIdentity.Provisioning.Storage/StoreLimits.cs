using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// The limits every backend enforces, and the argument checks that enforce them, so that a call refused by one
/// backend is refused by all. Violations throw <see cref="ArgumentException"/> (or a type derived from it)
/// before the store is touched.
/// </summary>
/// <remarks>
/// Identifiers (kinds, keys, tenant and device ids, claim scopes, values and owners) are 1–<see cref="MaxIdLength"/>
/// UTF-16 characters of well-formed Unicode (no lone surrogates, which would collide once stored as UTF-8).
/// State documents are at most <see cref="MaxStateBytes"/> (1 MiB): Cosmos DB caps an item at 2 MB, and state is
/// base64-encoded there.
/// </remarks>
public static class StoreLimits
{
    /// <summary>The longest identifier, in UTF-16 characters.</summary>
    public const int MaxIdLength = 256;

    /// <summary>The largest state document, in bytes (1 MiB).</summary>
    public const int MaxStateBytes = 1024 * 1024;

    /// <summary>The page size used when a <see cref="DeviceQuery"/> does not set one.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest device page and the most audit entries one read returns.</summary>
    public const int MaxPageSize = 500;

    /// <summary>The most entries an audit event's <see cref="AuditEvent.Details"/> may carry.</summary>
    public const int MaxAuditDetails = 32;

    /// <summary>The longest audit detail value, in UTF-16 characters (keys are identifiers).</summary>
    public const int MaxAuditDetailValueLength = 1024;

    /// <summary>The most tags one device record carries.</summary>
    public const int MaxTags = 32;

    /// <summary>The most links one inventory row carries.</summary>
    public const int MaxLinks = 64;

    /// <summary>The longest tag, in UTF-16 characters.</summary>
    public const int MaxTagLength = 64;

    /// <summary>Checks a required identifier: not null, 1–<see cref="MaxIdLength"/> characters, well-formed.</summary>
    /// <param name="value">The identifier.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckId(string? value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        CheckText(value, MaxIdLength, paramName);
    }

    /// <summary>Checks an optional identifier-sized text: when present, as <see cref="CheckId"/>.</summary>
    /// <param name="value">The text, or <see langword="null"/>.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckOptionalId(string? value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (value is not null)
        {
            CheckText(value, MaxIdLength, paramName);
        }
    }

    /// <summary>Checks a state document's size.</summary>
    /// <param name="data">The document.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckState(ReadOnlyMemory<byte> data, [CallerArgumentExpression(nameof(data))] string? paramName = null)
    {
        if (data.Length > MaxStateBytes)
        {
            throw new ArgumentException(
                $"State is {data.Length} bytes; the store accepts at most {MaxStateBytes} bytes.", paramName);
        }
    }

    /// <summary>Checks an inventory record's identifiers and texts.</summary>
    /// <param name="device">The record.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckDevice(DeviceRecord device, [CallerArgumentExpression(nameof(device))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(device, paramName);
        CheckId(device.TenantId, $"{paramName}.{nameof(DeviceRecord.TenantId)}");
        CheckId(device.DeviceId, $"{paramName}.{nameof(DeviceRecord.DeviceId)}");
        CheckId(device.State, $"{paramName}.{nameof(DeviceRecord.State)}");
        CheckOptionalId(device.Firmware, $"{paramName}.{nameof(DeviceRecord.Firmware)}");
        CheckOptionalId(device.CertificateSerial, $"{paramName}.{nameof(DeviceRecord.CertificateSerial)}");
        CheckOptionalId(device.GroupId, $"{paramName}.{nameof(DeviceRecord.GroupId)}");
        var tags = $"{paramName}.{nameof(DeviceRecord.Tags)}";
        if (device.Tags.Count > MaxTags)
        {
            throw new ArgumentException($"At most {MaxTags} tags.", tags);
        }

        for (var i = 0; i < device.Tags.Count; i++)
        {
            CheckText(device.Tags[i], MaxTagLength, tags);
            if (i > 0 && string.CompareOrdinal(device.Tags[i - 1], device.Tags[i]) >= 0)
            {
                throw new ArgumentException("Tags must be in ascending ordinal order without duplicates.", tags);
            }
        }

        var links = $"{paramName}.{nameof(DeviceRecord.Links)}";
        if (device.Links.Count > MaxLinks)
        {
            throw new ArgumentException($"At most {MaxLinks} links.", links);
        }

        for (var i = 0; i < device.Links.Count; i++)
        {
            CheckId(device.Links[i], links);
            if (i > 0 && string.CompareOrdinal(device.Links[i - 1], device.Links[i]) >= 0)
            {
                throw new ArgumentException("Links must be in ascending ordinal order without duplicates.", links);
            }
        }
    }

    /// <summary>Checks a device query's filter and page size (the token is checked when decoded).</summary>
    /// <param name="query">The query.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckQuery(DeviceQuery query, [CallerArgumentExpression(nameof(query))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(query, paramName);
        CheckOptionalId(query.State, $"{paramName}.{nameof(DeviceQuery.State)}");
        CheckOptionalId(query.GroupId, $"{paramName}.{nameof(DeviceQuery.GroupId)}");
        CheckOptionalId(query.DeviceIdPrefix, $"{paramName}.{nameof(DeviceQuery.DeviceIdPrefix)}");
        if (query.Tag is not null)
        {
            CheckText(query.Tag, MaxTagLength, $"{paramName}.{nameof(DeviceQuery.Tag)}");
        }

        CheckPageSize(query.PageSize, $"{paramName}.{nameof(DeviceQuery.PageSize)}");
    }

    /// <summary>Checks a page size or read count: 1–<see cref="MaxPageSize"/>.</summary>
    /// <param name="pageSize">The size.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckPageSize(int pageSize, [CallerArgumentExpression(nameof(pageSize))] string? paramName = null)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(paramName, pageSize, $"Must be between 1 and {MaxPageSize}.");
        }
    }

    /// <summary>
    /// Checks an audit event: action, subject, outcome and actor are identifiers; the evidence digest, when present,
    /// is 64 hex digits (SHA-256); at most <see cref="MaxAuditDetails"/> details, keys identifiers, values up to
    /// <see cref="MaxAuditDetailValueLength"/> characters.
    /// </summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    public static void CheckAuditEvent(AuditEvent auditEvent, [CallerArgumentExpression(nameof(auditEvent))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(auditEvent, paramName);
        CheckId(auditEvent.Action, $"{paramName}.{nameof(AuditEvent.Action)}");
        CheckId(auditEvent.Subject, $"{paramName}.{nameof(AuditEvent.Subject)}");
        CheckId(auditEvent.Outcome, $"{paramName}.{nameof(AuditEvent.Outcome)}");
        CheckId(auditEvent.Actor, $"{paramName}.{nameof(AuditEvent.Actor)}");
        if (auditEvent.EvidenceDigest is { } digest && (digest.Length != 64 || !IsHex(digest)))
        {
            throw new ArgumentException(
                "The evidence digest must be a SHA-256 digest written as 64 hex digits.",
                $"{paramName}.{nameof(AuditEvent.EvidenceDigest)}");
        }

        if (auditEvent.Details is { } details)
        {
            var name = $"{paramName}.{nameof(AuditEvent.Details)}";
            if (details.Count > MaxAuditDetails)
            {
                throw new ArgumentException($"At most {MaxAuditDetails} details are allowed; got {details.Count}.", name);
            }

            foreach (var (key, value) in details)
            {
                CheckId(key, name);
                ArgumentNullException.ThrowIfNull(value, name);
                CheckText(value, MaxAuditDetailValueLength, name, allowEmpty: true);
            }
        }
    }

    private static void CheckText(string value, int maxLength, string? paramName, bool allowEmpty = false)
    {
        if (value.Length == 0 && !allowEmpty)
        {
            throw new ArgumentException("Must not be empty.", paramName);
        }

        if (value.Length > maxLength)
        {
            throw new ArgumentException($"Must be at most {maxLength} characters; got {value.Length}.", paramName);
        }

        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var consumed) != OperationStatus.Done)
            {
                throw new ArgumentException("Must be well-formed Unicode (no lone surrogates).", paramName);
            }

            rest = rest[consumed..];
        }
    }

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
