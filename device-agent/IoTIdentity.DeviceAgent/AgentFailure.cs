using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Transport;
using MQTTnet.Exceptions;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// An expected failure in one line: what failed and which setting or file to check, with the exit code of its class.
/// Unexpected failures (bugs) have none and keep their stack trace.
/// </summary>
public sealed record AgentFailure(AgentExitCode Code, string Message)
{
    /// <summary>
    /// Checks the settings before anything else happens: the EK kind, the TPM endpoint, the broker port, and that the
    /// files named by <c>TrustAnchorPath</c> and <c>EkIntermediatesPath</c> exist and hold certificates.
    /// </summary>
    public static AgentFailure? Check(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Ek.ToLowerInvariant() is not ("rsa" or "ecc"))
            return Config($"Agent:Ek (--ek) must be 'rsa' or 'ecc', not '{options.Ek}'");
        try
        {
            TpmTransportEndpoint.Parse(options.Tpm);
        }
        catch (FormatException e)
        {
            return Config($"Agent:Tpm (--tpm): {e.Message}");
        }
        if (options.BrokerPort is < 1 or > 65535)
            return Config($"Agent:BrokerPort (--broker-port) {options.BrokerPort} is not a TCP port");
        if (options.UseTls && options.TrustAnchorPath is { Length: > 0 } anchors && CertificateFileProblem(anchors) is { } anchorProblem)
            return Config($"Agent:TrustAnchorPath (--trust-anchor) {anchors}: {anchorProblem}");
        if (options.EkIntermediatesPath is { Length: > 0 } intermediates && CertificateFileProblem(intermediates) is { } intermediateProblem)
            return Config($"Agent:EkIntermediatesPath (--ek-intermediates) {intermediates}: {intermediateProblem}");
        return null;
    }

    /// <summary>The expected failure <paramref name="e"/> stands for, or null for an unexpected one.</summary>
    /// <param name="e">What was thrown.</param>
    /// <param name="options">The settings, to name the ones to check.</param>
    /// <param name="cancelled">Whether the caller cancelled (then a cancellation is not a timeout).</param>
    public static AgentFailure? Explain(Exception e, AgentOptions options, bool cancelled = false)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(options);
        var broker = $"{options.BrokerHost}:{options.BrokerPort}";
        var endpoint = "check Agent:BrokerHost / Agent:BrokerPort (--broker-host / --broker-port) and the network";
        return e switch
        {
            EnrollmentRefusedException refused => new(AgentExitCode.Refused, Refusal(refused)),
            TpmTransportException tpm => new(AgentExitCode.Tpm, $"cannot reach the TPM: {tpm.Message}; check Agent:Tpm (--tpm), now '{options.Tpm}'"),
            TpmException tpm => new(AgentExitCode.Tpm, $"the TPM at '{options.Tpm}' refused a command: {tpm.Message}"),
            _ when Find<AuthenticationException>(e) is { } tls => new(AgentExitCode.Network,
                $"TLS with the service at {broker} failed ({tls.Message}); check that Agent:TrustAnchorPath (--trust-anchor) " +
                $"{options.TrustAnchorPath ?? "(unset: the system trust store)"} holds the CA of the broker's certificate, issued for '{options.BrokerHost}'"),
            _ when Find<SocketException>(e) is { } socket => new(AgentExitCode.Network, $"cannot connect to the service at {broker} ({socket.Message}); {endpoint}"),
            MqttCommunicationException or TimeoutException => new(AgentExitCode.Network, $"the service at {broker} did not answer ({e.Message}); {endpoint}"),
            OperationCanceledException when !cancelled => new(AgentExitCode.Network, $"the service at {broker} did not answer in time; {endpoint}"),
            _ => null,
        };
    }

    private static string Refusal(EnrollmentRefusedException refused)
    {
        var advice = refused.Error switch
        {
            ProvisioningError.NotEnrolled => "no enrolment admits this device: ask the operator to add an individual or group enrolment",
            ProvisioningError.AmbiguousOwner => "enrolments of several tenants admit this device: set Agent:EnrollmentScope (--scope) to its owner's scope (GET /api/v1/tenant), " +
                "or Agent:ClaimCode (--claim-code) to the code printed on the device if its owner registered that code",
            ProvisioningError.Revoked => "the device's identity was revoked: once the operator re-admits it, run 'iotid-agent enroll'",
            ProvisioningError.Disabled => "the device or its enrolment is disabled: ask the operator",
            ProvisioningError.UntrustedEkCertificate => "the service does not trust the TPM's EK certificate: ask the operator to trust the " +
                "manufacturer's root, and send its intermediates (Agent:EkIntermediatesPath, --ek-intermediates, or the TPM's NV chain)",
            ProvisioningError.EkCertificateNotTimeValid or ProvisioningError.InvalidEkCertificate or ProvisioningError.EkMismatch =>
                "the TPM's EK certificate is not acceptable; check Agent:Ek (--ek) names the EK whose certificate the TPM holds",
            ProvisioningError.QuotaExceeded => "the enrolment's device quota is used up: ask the operator",
            ProvisioningError.PcrPolicyViolation or ProvisioningError.MeasurementNotAllowed or ProvisioningError.EventLogMismatch =>
                "the boot measurements are not allowed; check Agent:EventLogPath (--event-log) and the firmware release",
            ProvisioningError.RateLimited or ProvisioningError.Unavailable => "try again later",
            _ => null,
        };
        return $"the service refused the device: {refused.Error}" + (advice is null ? "" : $"; {advice}");
    }

    private static string? CertificateFileProblem(string path)
    {
        if (!File.Exists(path)) return "no such file";
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            return certificates.Count == 0 ? "holds no PEM certificate" : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"cannot be read as PEM certificates ({e.Message})";
        }
    }

    private static AgentFailure Config(string message) => new(AgentExitCode.Configuration, message);

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is T found) return found;
        return null;
    }
}
