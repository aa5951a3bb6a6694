using IoTIdentity.Provisioning.Host.Hosting;

// The provisioning service: an Orleans silo with the MQTT endpoint and the HTTP API in one process.
// With no configuration: one silo, SQLite in ./.data, TLS MQTT on 8883 with a dev certificate, HTTP on 8080, a dev tenant.
WebApplication app;
try
{
    app = ProvisioningHost.Build(args);
}
catch (ServiceConfigurationException refused)
{
    // the operator's mistake, not a crash: its message names the settings (never a value), without a stack trace
    Console.Error.WriteLine($"iotid-service: {refused.Message}");
    return ServiceConfigurationException.ExitCode;
}
// a port another process holds is told, not crashed on: before anything starts, or, taken in the moment between, when
// the bind fails (read the listeners now: a failed run disposes the services)
var listeners = PortConflicts.Listeners(app.Services, app.Configuration);
if (PortConflicts.Overlapping(listeners) is [_, ..] overlapping)
{
    Console.Error.WriteLine($"iotid-service: {PortConflicts.OverlapRefusal(overlapping)}");
    return ServiceConfigurationException.ExitCode;
}
if (PortConflicts.Taken(listeners) is [_, ..] taken)
{
    Console.Error.WriteLine($"iotid-service: {PortConflicts.Refusal(taken)}");
    return PortConflicts.ExitCode;
}
ThreadPoolFloor.Say(app.Services.GetRequiredService<ILoggerFactory>());
try
{
    await app.RunAsync();
}
catch (Exception failure) when (PortConflicts.Describe(failure, listeners) is { } conflict)
{
    Console.Error.WriteLine($"iotid-service: {conflict}");
    return PortConflicts.ExitCode;
}
return 0;
