namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// Many devices connected to the service at once and idle: how many held, and the resident memory of the service and
/// of the generator before and after (so per connection: the difference ÷ the connections held). Resident memory
/// includes garbage the runtime has not collected yet, so the per-connection figures are upper bounds.
/// </summary>
/// <param name="Attempted">Devices that tried to connect.</param>
/// <param name="Held">Connections still up when the memory was read.</param>
/// <param name="Failed">Connects that failed.</param>
/// <param name="ConnectSeconds">Wall time until every device had connected or failed.</param>
/// <param name="ServiceBytesBefore">The service's working set before the first connect.</param>
/// <param name="ServiceBytesAfter">Its working set with every connection held.</param>
/// <param name="GeneratorBytesBefore">This process's working set before the first connect.</param>
/// <param name="GeneratorBytesAfter">This process's working set with every connection held.</param>
/// <param name="ServiceCpuMilliseconds">The service's CPU while the devices connected.</param>
/// <param name="GeneratorCpuMilliseconds">This process's CPU while the devices connected (TLS handshakes, MQTT set-up and subscribe).</param>
public sealed record ConnectionMemory(int Attempted, int Held, int Failed, double ConnectSeconds, long ServiceBytesBefore, long ServiceBytesAfter,
    long GeneratorBytesBefore, long GeneratorBytesAfter, double ServiceCpuMilliseconds, double GeneratorCpuMilliseconds)
{
    /// <summary>The service's CPU per connect.</summary>
    public double ServiceCpuMillisecondsPerConnection => ServiceCpuMilliseconds / Math.Max(Attempted, 1);

    /// <summary>The generator's CPU per connect.</summary>
    public double GeneratorCpuMillisecondsPerConnection => GeneratorCpuMilliseconds / Math.Max(Attempted, 1);

    /// <summary>The service's resident memory per connection held, in bytes.</summary>
    public double? ServiceBytesPerConnection => Held > 0 ? (double)(ServiceBytesAfter - ServiceBytesBefore) / Held : null;

    /// <summary>The generator's resident memory per connection held, in bytes.</summary>
    public double? GeneratorBytesPerConnection => Held > 0 ? (double)(GeneratorBytesAfter - GeneratorBytesBefore) / Held : null;
}
