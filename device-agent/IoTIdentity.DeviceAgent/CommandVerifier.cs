using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// Authenticates a command from the command topic: it parses, is a known kind, is recent, and carries an ECDSA
/// signature over <see cref="DeviceCommands.SignedBytes"/> by the issuing CA of the device's current certificate.
/// Without an identity no command can be checked, so none is accepted.
/// </summary>
public sealed class CommandVerifier
{
    /// <summary>The outcome: the command, or why it was ignored.</summary>
    public sealed record Verdict(DeviceCommand? Command, string? Reason);

    /// <summary>Checks <paramref name="payload"/> against the issuing CA in <paramref name="identity"/>.</summary>
    public Verdict Verify(ReadOnlySpan<byte> payload, StoredIdentity? identity, DateTimeOffset now)
    {
        DeviceCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(payload, ProtocolJson.Default.DeviceCommand);
        }
        catch (JsonException)
        {
            return new(null, "not a command");
        }
        if (command is null) return new(null, "not a command");
        if (command.Kind is not (DeviceCommandKinds.Reenroll or DeviceCommandKinds.Revoke or DeviceCommandKinds.AttestNow))
            return new(null, "unknown kind");
        if (identity is null || identity.Metadata.CertificateChain.Count < 2) return new(null, "no identity to verify against");
        if (command.Signature is null or { Length: 0 }) return new(null, "unsigned");
        if (now - command.IssuedAt > DeviceCommands.MaxAge || command.IssuedAt - now > TimeSpan.FromMinutes(5)) return new(null, "stale");
        using var issuer = X509CertificateLoader.LoadCertificate(identity.Metadata.CertificateChain[1]);
        using var key = issuer.GetECDsaPublicKey();
        if (key is null) return new(null, "the issuing CA key is not ECDSA");
        var signed = DeviceCommands.SignedBytes(identity.Metadata.DeviceId, command);
        return key.VerifyData(signed, command.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? new(command, null)
            : new(null, "bad signature");
    }
}
