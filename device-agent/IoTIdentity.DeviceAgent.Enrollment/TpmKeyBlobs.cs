using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// A TPM key as a device keeps it between boots: the public area and the private blob, which only the TPM that
/// created it can load (under the same SRK). Neither is secret outside that TPM, but keep them with the device state.
/// </summary>
/// <param name="Public">The TPM2B_PUBLIC content (<see cref="Tpm2b{T}.Raw"/> is the marshalled TPMT_PUBLIC).</param>
/// <param name="Private">The TPM2B_PRIVATE blob.</param>
public sealed record TpmKeyBlobs(Tpm2b<TpmtPublic> Public, Tpm2bPrivate Private);
