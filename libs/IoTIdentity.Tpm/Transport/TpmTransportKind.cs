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
    /// <summary>A tpm2-tss TCTI loaded by libtss2-tctildr (e.g. tpm2-abrmd), <see cref="TctiTransport"/>.</summary>
    Tcti = 4,
}
