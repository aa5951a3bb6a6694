namespace IoTIdentity.DeviceAgent;

/// <summary>The exit codes of <c>iotid-agent</c>: one per class of failure (listed in device-agent/README.md).</summary>
public enum AgentExitCode
{
    /// <summary>Done.</summary>
    Success = 0,

    /// <summary>Nothing was done: a confirmation was declined, or an unexpected failure (its stack trace is printed).</summary>
    Other = 1,

    /// <summary>Another <c>iotid-agent</c> holds the state directory's lock.</summary>
    Busy = 3,

    /// <summary>A setting, or a file a setting names, is wrong or missing.</summary>
    Configuration = 4,

    /// <summary>The service cannot be reached, its TLS certificate is not trusted, or it does not answer.</summary>
    Network = 5,

    /// <summary>The TPM cannot be reached or refused a command.</summary>
    Tpm = 6,

    /// <summary>The service refused the device (not enrolled, revoked, untrusted EK certificate, ...).</summary>
    Refused = 7,
}
