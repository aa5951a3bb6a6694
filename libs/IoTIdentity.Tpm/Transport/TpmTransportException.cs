namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// Bytes could not be exchanged with the TPM: the device or simulator is missing or refused the connection, the
/// peer closed mid-response, a response header was malformed or over the size cap, a simulator control command
/// failed, or no response came within the timeout. Distinct from <see cref="TpmException"/> (the TPM answered
/// with an error code) and <see cref="TpmFormatException"/> (a structure inside a response does not parse).
/// </summary>
public sealed class TpmTransportException : Exception
{
    /// <summary>Creates the exception with a message naming the endpoint and what went wrong.</summary>
    public TpmTransportException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the I/O or socket error that caused it.</summary>
    public TpmTransportException(string message, Exception innerException) : base(message, innerException) { }
}
