namespace IoTIdentity.Protocol.Management;

/// <summary>The service could not be reached, or did not answer in time, or answered with something that is not its API.</summary>
public sealed class IotIdConnectionException(string message, Exception? inner = null) : Exception(message, inner);
