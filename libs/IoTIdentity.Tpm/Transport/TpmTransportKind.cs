namespace IoTIdentity.Tpm.Transport;

/// <summary>Which kind of TPM a <see cref="TpmTransportEndpoint"/> names.</summary>
public enum TpmTransportKind
{
    /// <summary>A Linux TPM character device, <see cref="DeviceTransport"/>.</summary>
    Device = 1,
    /// <summary>swtpm's socket interface, <see cref="SwtpmSocketTransport"/>.</summary>
    Swtpm = 2,
    /// <summary>The Microsoft/IBM reference simulator's TCP protocol, <see cref="MsSimulatorTransport"/>.</summary>
    MsSimulator = 3,
}
