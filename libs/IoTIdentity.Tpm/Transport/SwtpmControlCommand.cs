namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// The CMD_* codes of swtpm's control channel (swtpm's <c>tpm_ioctl.h</c>, "socket interface"): each request is a
/// big-endian UINT32 code followed by its request structure; each response starts with a big-endian UINT32
/// result (0 = success, otherwise a TPM 1.2 TPM_RESULT such as TPM_FAIL = 9).
/// </summary>
internal enum SwtpmControlCommand : uint
{
    GetCapability = 0x01,
    Init = 0x02,
    Shutdown = 0x03,
    GetTpmEstablished = 0x04,
    SetLocality = 0x05,
    CancelTpmCommand = 0x09,
    StoreVolatile = 0x0A,
    ResetTpmEstablished = 0x0B,
    Stop = 0x0E,
}
