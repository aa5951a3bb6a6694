using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>The outcome of checking a command: the command, or why it was ignored.</summary>
/// <param name="Command">The authenticated command, or null.</param>
/// <param name="Reason">Why it was ignored, or null.</param>
public sealed record DeviceCommandVerdict(DeviceCommand? Command, string? Reason);

/// <summary>
/// Authenticates a command from the command topic, the device side shared by the agent and the simulator. In order:
/// it parses; it is a known kind; there is an identity (certificate and issuing CA) to check it with; it is signed;
/// it is recent (<see cref="DeviceCommands.MaxAge"/>, at most five minutes ahead); and its ECDSA signature over
/// <see cref="DeviceCommands.SignedBytes"/> verifies with the issuing CA of the device's current certificate.
/// </summary>
public static class DeviceCommandVerifier
{
    /// <summary>Checks <paramref name="payload"/> for <paramref name="deviceId"/> against the issuing CA in <paramref name="certificateChain"/>.</summary>
    /// <param name="payload">The command topic's message body.</param>
    /// <param name="deviceId">The device's id; null when it has no identity.</param>
    /// <param name="certificateChain">The device's current chain (certificate, then its issuing CA); null when it has none.</param>
    /// <param name="now">The device's clock.</param>
    public static DeviceCommandVerdict Verify(ReadOnlySpan<byte> payload, string? deviceId, IReadOnlyList<byte[]>? certificateChain, DateTimeOffset now)
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
        if (deviceId is null || certificateChain is null || certificateChain.Count < 2) return new(null, "no identity to verify against");
        if (command.Signature is null or { Length: 0 }) return new(null, "unsigned");
        if (now - command.IssuedAt > DeviceCommands.MaxAge || command.IssuedAt - now > TimeSpan.FromMinutes(5)) return new(null, "stale");
        using var issuer = X509CertificateLoader.LoadCertificate(certificateChain[1]);
        using var key = issuer.GetECDsaPublicKey();
        if (key is null) return new(null, "the issuing CA key is not ECDSA");
        var signed = DeviceCommands.SignedBytes(deviceId, command);
        return key.VerifyData(signed, command.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? new(command, null)
            : new(null, "bad signature");
    }
}
