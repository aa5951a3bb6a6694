namespace IoTIdentity.DeviceAgent.Enrollment.Tls;

/// <summary>
/// A device certificate whose private key never leaves the TPM, as a TLS client presents it: the chain to send and the
/// TPM signing the handshake (<see cref="TpmEnrollment.SignHandshakeAsync"/>). <see cref="EnrollmentClient"/> opens such
/// a session with its own TLS 1.3 client (<see cref="TpmTlsStreamProvider"/>), for a process that drives TPMs through
/// the TPM library rather than through OpenSSL's tpm2 provider (the simulator's swtpm devices, the agent on a TPM that
/// serves one client at a time).
/// </summary>
/// <param name="Chain">The DER certificates to present, the device certificate first.</param>
/// <param name="SignHandshake">
/// Signs a SHA-256 digest with the certified key inside the TPM and returns the ECDSA signature DER-encoded
/// (<c>ecdsa_secp256r1_sha256</c>, the only scheme offered).
/// </param>
public sealed record TpmClientCertificate(IReadOnlyList<byte[]> Chain, Func<byte[], CancellationToken, Task<byte[]>> SignHandshake);
