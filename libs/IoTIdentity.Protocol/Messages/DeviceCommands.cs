using System.Text;

namespace IoTIdentity.Protocol.Messages;

/// <summary>The command kinds and the bytes a command signature covers; built identically by the service and the device.</summary>
public static class DeviceCommands
{
    /// <summary>How old a command may be when it arrives.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    /// <summary>
    /// <c>"iotid-cmd-v1\n" || deviceId || "\n" || commandId || "\n" || kind || "\n" || unix seconds of IssuedAt</c>,
    /// signed with ECDSA P-256/SHA-256 (IEEE P1363 r||s) by the tenant's issuing CA key — the CA that issued the
    /// device's certificate, so the device checks it with the second certificate of its own chain.
    /// </summary>
    public static byte[] SignedBytes(string deviceId, DeviceCommand command) =>
        Encoding.UTF8.GetBytes($"iotid-cmd-v1\n{deviceId}\n{command.CommandId}\n{command.Kind}\n{command.IssuedAt.ToUnixTimeSeconds()}");
}

/// <summary>The values of <see cref="DeviceCommand.Kind"/>.</summary>
public static class DeviceCommandKinds
{
    /// <summary>Enrol again from the EK (e.g. after an ownership transfer).</summary>
    public const string Reenroll = "reenroll";

    /// <summary>Stop using the identity and delete it.</summary>
    public const string Revoke = "revoke";

    /// <summary>Attest now (a renewal: new keys, full attestation).</summary>
    public const string AttestNow = "attest-now";
}
