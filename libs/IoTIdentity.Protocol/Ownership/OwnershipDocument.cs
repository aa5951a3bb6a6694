using System.Buffers.Text;
using System.Text.Json;

namespace IoTIdentity.Protocol.Ownership;

/// <summary>
/// A device's exported ownership record: the chain of entries and the ownership public keys (PEM) of the tenants
/// that appear in it. Anyone holding the tenants' public keys can check it with <see cref="OwnershipChainVerifier"/>.
/// </summary>
public sealed record OwnershipDocument
{
    /// <summary>The device the record is about.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The entries, oldest first.</summary>
    public required IReadOnlyList<OwnershipEntry> Entries { get; init; }

    /// <summary>tenantId → that tenant's ownership public key (SubjectPublicKeyInfo PEM), as the exporter saw them.</summary>
    public IReadOnlyDictionary<string, string> Owners { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Reads a document. Throws <see cref="OwnershipFormatException"/> when the bytes are not JSON of this shape
    /// (missing fields, binary fields that are not base64url) — a document that parses may still fail verification.
    /// </summary>
    public static OwnershipDocument Parse(ReadOnlySpan<byte> json)
    {
        OwnershipDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, OwnershipJson.Default.OwnershipDocument);
        }
        catch (JsonException e)
        {
            throw new OwnershipFormatException($"not an ownership document: {e.Message}", e);
        }
        if (document is null) throw new OwnershipFormatException("not an ownership document: null");
        if (document.Entries is null) throw new OwnershipFormatException("not an ownership document: no entries array");
        for (var i = 0; i < document.Entries.Count; i++)
        {
            var entry = document.Entries[i] ?? throw new OwnershipFormatException($"entry {i} is null");
            if (!Base64Url.IsValid(entry.PreviousEntryHash)) throw new OwnershipFormatException($"entry {i}: previousEntryHash is not base64url");
            if (!Base64Url.IsValid(entry.Signature)) throw new OwnershipFormatException($"entry {i}: signature is not base64url");
        }
        return document with { Owners = document.Owners ?? new Dictionary<string, string>() };
    }

    /// <summary>The document as JSON (camelCase, as exported by the service).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, OwnershipJson.Default.OwnershipDocument);
}
