namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// A transport to a software TPM that also exposes the platform signals a real TPM receives from its
/// motherboard: power, and _TPM_Init (Part 1, "TPM Operational States"; Part 3, §9 "Start-up"). Real devices have no such
/// channel, so only simulators implement this.
/// </summary>
public interface ITpmSimulatorTransport : ITpmTransport
{
    /// <summary>Powers the TPM on (and raises _TPM_Init). The next command must be TPM2_Startup.</summary>
    Task PowerOnAsync(CancellationToken cancellationToken = default);

    /// <summary>Powers the TPM off; volatile state is lost unless TPM2_Shutdown(STATE) was sent first.</summary>
    Task PowerOffAsync(CancellationToken cancellationToken = default);

    /// <summary>Resets the TPM (_TPM_Init while powered), as a platform reset does. The next command must be TPM2_Startup.</summary>
    Task ResetAsync(CancellationToken cancellationToken = default);
}
