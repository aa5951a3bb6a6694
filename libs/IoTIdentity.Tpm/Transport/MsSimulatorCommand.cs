namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// The TCP protocol codes of the Microsoft/IBM reference TPM simulator (its <c>TpmTcpProtocol.h</c>), sent as
/// big-endian UINT32s. Platform signals go to the platform port and are each acknowledged with a UINT32 0;
/// <see cref="SendCommand"/> goes to the command port.
/// </summary>
internal enum MsSimulatorCommand : uint
{
    SignalPowerOn = 1,
    SignalPowerOff = 2,
    SignalPhysicalPresenceOn = 3,
    SignalPhysicalPresenceOff = 4,
    SendCommand = 8,
    SignalCancelOn = 9,
    SignalCancelOff = 10,
    SignalNvOn = 11,
    SignalNvOff = 12,
    SignalReset = 17,
    SignalRestart = 18,
    SessionEnd = 20,
    Stop = 21,
}
