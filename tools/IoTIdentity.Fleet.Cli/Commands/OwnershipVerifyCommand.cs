using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Protocol.Ownership;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// <c>iotid ownership verify &lt;file&gt;</c>: checks an ownership document offline. Owners' keys pinned with
/// <c>--owner-key tenantId=path.pem</c>, or fetched from the service with <c>--fetch-keys</c> (the public ownership-key
/// route); with neither, the document's own <c>owners</c> keys are used, which proves the chain is consistent but not
/// who its owners are. Exits 0 when it verifies, 1 when it does not (a document naming a tenant the service has no
/// ownership key for is invalid, not a refusal), 2 for an unreadable file or key.
/// </summary>
internal static class OwnershipVerifyCommand
{
    public static Command Build(CliContext cli)
    {
        var options = new OwnershipVerifyOptions();
        var (file, ownerKeys, fetchKeys) = (options.File, options.OwnerKeys, options.FetchKeys);
        return cli.Runs(options.Command("Verify an ownership document offline: every entry's signature and hash link"),
            async (parse, client, output, ct) =>
            {
                var path = parse.GetValue(file)!;
                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(path, ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"cannot read ownership document '{path}': {e.Message}");
                }
                OwnershipDocument document;
                try
                {
                    document = OwnershipDocument.Parse(bytes);
                }
                catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
                {
                    throw new UsageException($"'{path}' is not an ownership document: {e.Message}");
                }

                var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
                try
                {
                    foreach (var pin in parse.GetValue(ownerKeys) ?? [])
                    {
                        var at = pin.IndexOf('=');
                        if (at <= 0 || at == pin.Length - 1) throw new UsageException($"--owner-key takes tenantId=path.pem, not '{pin}'");
                        keys[pin[..at]] = ImportKey(CliFiles.ReadText(pin[(at + 1)..], "owner key"), pin[..at]);
                    }
                    if (parse.GetValue(fetchKeys))
                        foreach (var tenantId in TenantsNamed(bytes).Where(t => !keys.ContainsKey(t)))
                        {
                            string pem;
                            try
                            {
                                pem = await client.GetOwnershipKeyAsync(tenantId, ct);
                            }
                            catch (IoTIdentity.Protocol.Management.IotIdApiException e) when (e.Status == 404)
                            {
                                return Invalid(output, $"it names tenant '{tenantId}', which has no ownership key at {client.BaseAddress}");
                            }
                            keys[tenantId] = ImportKey(pem, tenantId);
                        }

                    var result = OwnershipChainVerifier.Verify(document, keys.Count == 0 ? null : keys);
                    if (output.IsJson) output.Raw(ResultJson(result));
                    else if (result.IsValid) output.Line($"valid: owners {string.Join(" -> ", result.Owners)}{(keys.Count == 0 ? " (keys from the document itself; pin them with --owner-key or --fetch-keys)" : "")}");
                    if (!result.IsValid) output.Error($"iotid: ownership document does not verify: {result.Failure} at entry {result.FailedEntry}");
                    return result.IsValid ? ExitCodes.Ok : ExitCodes.Refused;
                }
                finally
                {
                    foreach (var key in keys.Values) key.Dispose();
                }
            });
    }

    /// <summary>A document that cannot be valid: said so (and with --json as a result), exit 1.</summary>
    private static int Invalid(CliOutput output, string why)
    {
        if (output.IsJson) output.Raw(JsonSerializer.Serialize(new Dictionary<string, object?> { ["isValid"] = false, ["failure"] = "Invalid", ["detail"] = why, ["owners"] = Array.Empty<string>() }));
        output.Error($"iotid: ownership document is invalid: {why}");
        return ExitCodes.Refused;
    }

    /// <summary>{"isValid":…,"failure":…,"failedEntry":…,"owners":[…]} for --json.</summary>
    private static string ResultJson(OwnershipVerification result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("isValid", result.IsValid);
            if (result.Failure is { } failure) writer.WriteString("failure", failure.ToString());
            else writer.WriteNull("failure");
            if (result.FailedEntry is { } entry) writer.WriteNumber("failedEntry", entry);
            else writer.WriteNull("failedEntry");
            writer.WriteStartArray("owners");
            foreach (var owner in result.Owners) writer.WriteStringValue(owner);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static ECDsa ImportKey(string pem, string tenantId)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new UsageException($"the ownership key of {tenantId} is not an EC public key in PEM: {e.Message}");
        }
    }

    /// <summary>Every tenant an entry names (owner, next owner, signer), in order of first mention.</summary>
    private static IEnumerable<string> TenantsNamed(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var names = new List<string>();
        foreach (var entry in document.RootElement.GetProperty("entries").EnumerateArray())
            foreach (var field in new[] { "ownerTenantId", "nextOwnerTenantId", "signerTenantId" })
                if (entry.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && !names.Contains(v.GetString()!))
                    names.Add(v.GetString()!);
        return names;
    }
}
