namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>Where an operator's re-attest request stands.</summary>
public enum ReattestProgress
{
    /// <summary>Asked; the device has not answered with an attestation since (not connected, or not yet done).</summary>
    Requested,
    /// <summary>The device answered: an attestation was accepted after the request.</summary>
    Attested,
    /// <summary>The device answered (its TPM proved its EK) but the attestation was refused, by the PCR or firmware policy say; the request stays open and is sent again.</summary>
    Failed,
}
