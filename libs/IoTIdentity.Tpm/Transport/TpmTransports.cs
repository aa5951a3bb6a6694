namespace IoTIdentity.Tpm.Transport;

/// <summary>Opens a transport from a configuration string (the device agent's <c>Tpm:Transport</c> setting).</summary>
public static class TpmTransports
{
    /// <summary>
    /// Parses <paramref name="configuration"/> (see <see cref="TpmTransportEndpoint"/>) and opens the transport.
    /// Simulators are connected but not powered on or started: that is the caller's decision.
    /// </summary>
    /// <exception cref="FormatException">The string is not a transport configuration.</exception>
    /// <exception cref="TpmTransportException">The device or simulator cannot be reached.</exception>
    public static Task<ITpmTransport> OpenAsync(
        string configuration, TpmTransportOptions? options = null, CancellationToken cancellationToken = default)
        => OpenAsync(TpmTransportEndpoint.Parse(configuration), options, cancellationToken);

    /// <summary>Opens the transport <paramref name="endpoint"/> names.</summary>
    public static async Task<ITpmTransport> OpenAsync(
        TpmTransportEndpoint endpoint, TpmTransportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Kind switch
        {
            TpmTransportKind.Device => DeviceTransport.Open(endpoint.DevicePath!, options),
            TpmTransportKind.Tcti => await Task.Run(() => TctiTransport.Open(endpoint.Tcti!, options), cancellationToken).ConfigureAwait(false),
            TpmTransportKind.Swtpm => await SwtpmSocketTransport
                .ConnectAsync(endpoint.Host!, endpoint.Port, endpoint.ControlPort, options, cancellationToken).ConfigureAwait(false),
            TpmTransportKind.MsSimulator => await MsSimulatorTransport
                .ConnectAsync(endpoint.Host!, endpoint.Port, endpoint.ControlPort, endpoint.Locality, options, cancellationToken)
                .ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint.Kind, "unknown transport kind"),
        };
    }
}
