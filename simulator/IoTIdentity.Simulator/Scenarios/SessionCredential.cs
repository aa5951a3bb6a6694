using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment.Tls;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// What a simulated device presents on its authenticated session (<see cref="AuthenticatedSessions"/>): either its
/// certificate with the key in process (an emulated TPM's key, for .NET's TLS), or its certificate and the swtpm that
/// signs the handshake (<see cref="TpmClientCertificate"/>, for our TLS 1.3 client).
/// </summary>
/// <param name="Certificate">Creates the certificate with its in-process private key; null for a swtpm device.</param>
/// <param name="TpmCertificate">Creates the certificate and its TPM signer; null for an emulated device.</param>
public sealed record SessionCredential(Func<X509Certificate2>? Certificate, Func<TpmClientCertificate>? TpmCertificate);
